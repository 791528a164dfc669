/* SPDX-License-Identifier: GPL-2.0 */
/* The release of irqlab: module, CLI and docs carry this one string. */
#ifndef IRQLAB_VERSION_H
#define IRQLAB_VERSION_H

#define IRQLAB_RELEASE_STRING "0.1.0"

#endif
