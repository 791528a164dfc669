/* SPDX-License-Identifier: GPL-2.0 */
/* Shared declarations of the module's C glue. */
#ifndef IRQLAB_MODULE_H
#define IRQLAB_MODULE_H

int irqlab_chardev_register(void);
void irqlab_chardev_unregister(void);

#endif /* IRQLAB_MODULE_H */
