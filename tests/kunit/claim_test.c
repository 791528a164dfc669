// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the claim/release state machine of module/claim.c, run against
 * the test box's real PCI devices: the ivshmem-doorbell (MSI-X, no driver
 * of its own), the 82574L (e1000e; MSI-X, its driver a module the box
 * does not load) and the host bridge (no MSI-X). Devices are found by ID
 * or class, never by address. Every case checks the exact errno and what
 * each call left behind: the list of claimed devices, the device's
 * driver_override and the driver bound to it.
 *
 * The suite registers the claim code's PCI driver, as module/main.c does,
 * and needs nothing else of the module: the chardev only carries ioctls
 * to claim.c, and a device's teardown calls into the engine only for a
 * device with an engine domain, which only an engine attach creates.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "module/compat.h"
#include "module/device.h"

#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define E1000E_VENDOR	PCI_VENDOR_ID_INTEL
#define E1000E_DEVICE	0x10d3
#define CLAIM_CYCLES	20

/* What a claim or release may change, compared before and after. */
struct claim_state {
	struct irqlab_bdfs list;
	bool override_set;
	char override[IRQLAB_DRIVER_LEN];
	struct device_driver *driver;
};

static bool claim_registered;

KUNIT_DEFINE_ACTION_WRAPPER(claim_pci_dev_put, pci_dev_put, struct pci_dev *);

/* The first device with this ID, put when the case ends. */
static struct pci_dev *claim_find(struct kunit *test, u16 vendor, u16 device)
{
	struct pci_dev *pdev = pci_get_device(vendor, device, NULL);

	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev, "no %04x:%04x in the test box",
				  vendor, device);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, claim_pci_dev_put, pdev), 0);
	return pdev;
}

static struct device_driver *claim_driver(struct pci_dev *pdev)
{
	struct device_driver *driver;

	device_lock(&pdev->dev);
	driver = pdev->dev.driver;
	device_unlock(&pdev->dev);
	return driver;
}

static bool claim_bound_to_irqlab(struct pci_dev *pdev)
{
	struct device_driver *driver = claim_driver(pdev);

	/* claim.c's driver is named after the module it is linked into. */
	return driver && !strcmp(driver->name, KBUILD_MODNAME);
}

KUNIT_DEFINE_ACTION_WRAPPER(claim_list_free, irqlab_device_list_free, struct irqlab_bdfs *);

/* Fills 'list' again (freed when the case ends, or at the next fill). */
static void claim_list_fill(struct kunit *test, struct irqlab_bdfs *list)
{
	irqlab_device_list_free(list);
	KUNIT_ASSERT_EQ(test, irqlab_device_list(list), 0);
}

/* A list of the claimed devices now, freed when the case ends. */
static struct irqlab_bdfs *claim_list_new(struct kunit *test)
{
	struct irqlab_bdfs *list = kunit_kzalloc(test, sizeof(*list), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, list);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, claim_list_free, list), 0);
	claim_list_fill(test, list);
	return list;
}

/* How many times 'bdf' is listed. */
static unsigned int claim_listed(const struct irqlab_bdfs *list, const char *bdf)
{
	unsigned int i, n = 0;

	for (i = 0; i < list->count; i++)
		n += !strcmp(list->bdf[i], bdf);
	return n;
}

static struct claim_state *claim_state_take(struct kunit *test, struct pci_dev *pdev)
{
	struct claim_state *state = kunit_kzalloc(test, sizeof(*state), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, state);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, claim_list_free, &state->list), 0);
	claim_list_fill(test, &state->list);
	state->override_set = irqlab_get_driver_override(pdev, state->override,
							 sizeof(state->override));
	state->driver = claim_driver(pdev);
	return state;
}

/* The device list, the device's override and its driver are as before. */
static void claim_expect_state(struct kunit *test, struct pci_dev *pdev,
			       const struct claim_state *before, const char *after)
{
	struct claim_state *now = claim_state_take(test, pdev);

	KUNIT_EXPECT_EQ_MSG(test, now->list.count, before->list.count,
			    "%s: %s: claimed devices", pci_name(pdev), after);
	if (now->list.count == before->list.count)
		KUNIT_EXPECT_MEMEQ_MSG(test, now->list.bdf, before->list.bdf,
				       now->list.count * IRQLAB_BDF_LEN,
				       "%s: %s: claimed devices", pci_name(pdev), after);
	KUNIT_EXPECT_EQ_MSG(test, now->override_set, before->override_set,
			    "%s: %s: driver_override set", pci_name(pdev), after);
	KUNIT_EXPECT_STREQ_MSG(test, now->override, before->override,
			       "%s: %s: driver_override", pci_name(pdev), after);
	KUNIT_EXPECT_PTR_EQ_MSG(test, now->driver, before->driver,
				"%s: %s: bound driver", pci_name(pdev), after);
}

static void malformed_address_is_einval(struct kunit *test)
{
	static const char * const bad[] = {
		"", "0", "00", "00:00", "00:00.", "xx:00.0", "00:00.0 ",
		"00:00.0.0", "0000:00:00.0:0", "00:20.0", "00:00.8",
		"100:00.0", "10000:00:00.0", "0:0:0:0.0",
	};
	struct pci_dev *pdev = claim_find(test, IVSHMEM_VENDOR, IVSHMEM_DEVICE);
	struct claim_state *before = claim_state_take(test, pdev);
	struct irqlab_claim reply = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, irqlab_claim(bad[i], 0, &reply), -EINVAL,
				    "claim \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, irqlab_release(bad[i], 0), -EINVAL,
				    "release \"%s\"", bad[i]);
	}
	claim_expect_state(test, pdev, before, "malformed addresses");

	/* A well-formed address with an unknown flag is refused as well. */
	KUNIT_EXPECT_EQ(test, irqlab_claim(pci_name(pdev), BIT(2), &reply), -EINVAL);
	KUNIT_EXPECT_EQ(test, irqlab_claim(pci_name(pdev), BIT(31), &reply), -EINVAL);
	KUNIT_EXPECT_EQ(test, irqlab_release(pci_name(pdev), BIT(1)), -EINVAL);
	claim_expect_state(test, pdev, before, "unknown flags");
}

static void missing_device_is_enodev(struct kunit *test)
{
	struct pci_dev *pdev = claim_find(test, IVSHMEM_VENDOR, IVSHMEM_DEVICE);
	struct claim_state *before = claim_state_take(test, pdev);
	struct pci_dev *there = pci_get_domain_bus_and_slot(0xffff, 0xff, PCI_DEVFN(0x1f, 7));
	struct irqlab_claim reply = { };

	pci_dev_put(there);
	KUNIT_ASSERT_NULL_MSG(test, there, "ffff:ff:1f.7 exists");
	KUNIT_EXPECT_EQ(test, irqlab_claim("ffff:ff:1f.7", 0, &reply), -ENODEV);
	KUNIT_EXPECT_EQ(test, irqlab_claim("ffff:ff:1f.7", IRQLAB_CLAIM_FORCE, &reply),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, irqlab_release("ffff:ff:1f.7", 0), -ENODEV);
	claim_expect_state(test, pdev, before, "missing device");
}

static void no_msix_is_eopnotsupp(struct kunit *test)
{
	struct pci_dev *pdev = pci_get_class(PCI_CLASS_BRIDGE_HOST << 8, NULL);
	struct claim_state *before;
	struct irqlab_claim reply = { };

	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev, "no host bridge in the test box");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, claim_pci_dev_put, pdev), 0);
	KUNIT_ASSERT_EQ_MSG(test, pdev->msix_cap, 0, "the host bridge %s has MSI-X",
			    pci_name(pdev));
	before = claim_state_take(test, pdev);
	KUNIT_EXPECT_FALSE(test, before->override_set);

	KUNIT_EXPECT_EQ(test, irqlab_claim(pci_name(pdev), 0, &reply), -EOPNOTSUPP);
	claim_expect_state(test, pdev, before, "claim");
	/* Checked before anything is unbound: force changes nothing. */
	KUNIT_EXPECT_EQ(test, irqlab_claim(pci_name(pdev), IRQLAB_CLAIM_FORCE, &reply),
			-EOPNOTSUPP);
	claim_expect_state(test, pdev, before, "forced claim");
	KUNIT_EXPECT_EQ(test, irqlab_release(pci_name(pdev), 0), -ENOENT);
	claim_expect_state(test, pdev, before, "release");
}

static void claim_and_release_ivshmem(struct kunit *test)
{
	struct pci_dev *pdev = claim_find(test, IVSHMEM_VENDOR, IVSHMEM_DEVICE);
	const char *bdf = pci_name(pdev);
	struct claim_state *before, *claimed;
	struct irqlab_claim reply = { };
	struct irqlab_device *dev;
	char override[IRQLAB_DRIVER_LEN];
	int msix = pci_msix_vec_count(pdev);

	KUNIT_ASSERT_GT(test, msix, 0);
	before = claim_state_take(test, pdev);
	KUNIT_ASSERT_NULL_MSG(test, before->driver, "%s is bound to %s", bdf,
			      before->driver ? before->driver->name : "");
	KUNIT_ASSERT_EQ(test, claim_listed(&before->list, bdf), 0U);

	KUNIT_ASSERT_EQ(test, irqlab_claim(bdf, 0, &reply), 0);
	KUNIT_EXPECT_STREQ(test, reply.driver, "");
	KUNIT_EXPECT_GT(test, reply.nr_vectors, 0U);
	/* The whole table, no fixed cap below it. */
	KUNIT_EXPECT_EQ(test, reply.nr_vectors, (u32)msix);
	KUNIT_EXPECT_EQ(test, reply.table_size, (u32)msix);
	claimed = claim_state_take(test, pdev);
	KUNIT_EXPECT_EQ(test, claimed->list.count, before->list.count + 1);
	KUNIT_EXPECT_EQ(test, claim_listed(&claimed->list, bdf), 1U);
	KUNIT_EXPECT_TRUE(test, claim_bound_to_irqlab(pdev));
	KUNIT_EXPECT_TRUE(test, claimed->override_set);
	KUNIT_EXPECT_STREQ(test, claimed->override, KBUILD_MODNAME);
	KUNIT_EXPECT_TRUE(test, pdev->msix_enabled);

	dev = irqlab_device_get(bdf);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_PTR_EQ(test, dev->pdev, pdev);
	KUNIT_EXPECT_EQ(test, dev->nr_vectors, reply.nr_vectors);
	KUNIT_EXPECT_TRUE(test, dev->irqs_requested);

	/* Claimed already: refused, with or without force, nothing changes. */
	KUNIT_EXPECT_EQ(test, irqlab_claim(bdf, 0, &reply), -EALREADY);
	claim_expect_state(test, pdev, claimed, "second claim");
	KUNIT_EXPECT_EQ(test, irqlab_claim(bdf, IRQLAB_CLAIM_FORCE, &reply), -EALREADY);
	claim_expect_state(test, pdev, claimed, "forced second claim");

	/* The reference taken above outlives the release (kref). */
	KUNIT_EXPECT_EQ(test, irqlab_release(bdf, 0), 0);
	claim_expect_state(test, pdev, before, "release");
	KUNIT_EXPECT_FALSE(test, irqlab_get_driver_override(pdev, override, sizeof(override)));
	KUNIT_EXPECT_FALSE(test, pdev->msix_enabled);
	KUNIT_EXPECT_TRUE(test, dev->dead);
	KUNIT_EXPECT_FALSE(test, dev->irqs_requested);
	irqlab_device_put(dev);
	KUNIT_EXPECT_NULL(test, irqlab_device_get(bdf));

	KUNIT_EXPECT_EQ(test, irqlab_release(bdf, 0), -ENOENT);
	claim_expect_state(test, pdev, before, "second release");
}

/*
 * With another driver bound: refused without force, unbound with it, and
 * given back by a release with re-probe.
 */
static void claim_force_and_reprobe(struct kunit *test, struct pci_dev *pdev)
{
	const char *bdf = pci_name(pdev);
	struct claim_state *before = claim_state_take(test, pdev);
	const char *driver = before->driver->name;
	struct irqlab_claim reply = { };
	struct claim_state *claimed;

	KUNIT_EXPECT_EQ(test, irqlab_claim(bdf, 0, &reply), -EBUSY);
	KUNIT_EXPECT_STREQ(test, reply.driver, driver);
	claim_expect_state(test, pdev, before, "claim without force");

	memset(&reply, 0, sizeof(reply));
	KUNIT_ASSERT_EQ(test, irqlab_claim(bdf, IRQLAB_CLAIM_FORCE, &reply), 0);
	KUNIT_EXPECT_STREQ(test, reply.driver, driver);
	KUNIT_EXPECT_GT(test, reply.nr_vectors, 0U);
	claimed = claim_state_take(test, pdev);
	KUNIT_EXPECT_TRUE(test, claim_bound_to_irqlab(pdev));
	KUNIT_EXPECT_EQ(test, claim_listed(&claimed->list, bdf), 1U);
	KUNIT_EXPECT_EQ(test, claimed->list.count, before->list.count + 1);
	KUNIT_EXPECT_STREQ(test, claimed->override, KBUILD_MODNAME);

	KUNIT_EXPECT_EQ(test, irqlab_release(bdf, IRQLAB_RELEASE_REPROBE), 0);
	claim_expect_state(test, pdev, before, "release with re-probe");
	KUNIT_EXPECT_EQ(test, irqlab_release(bdf, IRQLAB_RELEASE_REPROBE), -ENOENT);
	claim_expect_state(test, pdev, before, "second release");
}

static void e1000e_force_restores_its_driver(struct kunit *test)
{
	struct pci_dev *pdev = claim_find(test, E1000E_VENDOR, E1000E_DEVICE);

	if (!claim_driver(pdev))
		kunit_skip(test, "%s: no driver bound (the box does not load e1000e)",
			   pci_name(pdev));
	claim_force_and_reprobe(test, pdev);
}

static const struct pci_device_id claim_stand_in_ids[] = {
	{ PCI_DEVICE(E1000E_VENDOR, E1000E_DEVICE) },
	{ }
};

static int claim_stand_in_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	return 0;
}

/* Binds the 82574L by ID, as its own driver would. */
static struct pci_driver claim_stand_in_driver = {
	.name = KBUILD_MODNAME "_stand_in",
	.id_table = claim_stand_in_ids,
	.probe = claim_stand_in_probe,
};

KUNIT_DEFINE_ACTION_WRAPPER(claim_stand_in_unregister, pci_unregister_driver,
			    struct pci_driver *);

static void force_restores_a_stand_in_driver(struct kunit *test)
{
	struct pci_dev *pdev = claim_find(test, E1000E_VENDOR, E1000E_DEVICE);
	struct device_driver *driver = claim_driver(pdev);

	if (driver)
		kunit_skip(test, "%s is bound to %s: e1000e_force_restores_its_driver covers it",
			   pci_name(pdev), driver->name);
	KUNIT_ASSERT_EQ(test, pci_register_driver(&claim_stand_in_driver), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, claim_stand_in_unregister,
							&claim_stand_in_driver), 0);
	KUNIT_ASSERT_PTR_EQ(test, claim_driver(pdev), &claim_stand_in_driver.driver);
	claim_force_and_reprobe(test, pdev);
	KUNIT_EXPECT_PTR_EQ(test, claim_driver(pdev), &claim_stand_in_driver.driver);
}

/*
 * Both devices claimed together, then released, CLAIM_CYCLES times;
 * kmemleak scans after the suite. Slow under TCG with KASAN and lockdep:
 * the e1000e's claim and release take 0.2-0.4 s each on an idle host, and
 * took 2.5 s each beside make check's other boxes, where 100 cycles ran
 * past KUnit's 300 s timeout for a case (the info line says).
 */
static void claim_release_cycles(struct kunit *test)
{
	struct pci_dev *pdevs[] = {
		claim_find(test, IVSHMEM_VENDOR, IVSHMEM_DEVICE),
		claim_find(test, E1000E_VENDOR, E1000E_DEVICE),
	};
	struct claim_state *before[ARRAY_SIZE(pdevs)];
	struct irqlab_bdfs *list = claim_list_new(test);
	u64 claim_ns[ARRAY_SIZE(pdevs)] = { }, release_ns[ARRAY_SIZE(pdevs)] = { };
	unsigned int cycle, d;

	KUNIT_ASSERT_EQ(test, list->count, 0U);
	for (d = 0; d < ARRAY_SIZE(pdevs); d++)
		before[d] = claim_state_take(test, pdevs[d]);

	for (cycle = 0; cycle < CLAIM_CYCLES; cycle++) {
		/* Force and re-probe give a bound device back as it was. */
		u32 flags = IRQLAB_CLAIM_FORCE | (cycle & 1 ? IRQLAB_CLAIM_SPREAD : 0);

		for (d = 0; d < ARRAY_SIZE(pdevs); d++) {
			struct irqlab_claim reply = { };
			u64 t0 = ktime_get_ns();

			KUNIT_ASSERT_EQ_MSG(test, irqlab_claim(pci_name(pdevs[d]), flags, &reply),
					    0, "cycle %u: claim %s", cycle, pci_name(pdevs[d]));
			claim_ns[d] += ktime_get_ns() - t0;
			KUNIT_ASSERT_GT(test, reply.nr_vectors, 0U);
		}
		claim_list_fill(test, list);
		KUNIT_ASSERT_EQ(test, list->count, (u32)ARRAY_SIZE(pdevs));
		for (d = 0; d < ARRAY_SIZE(pdevs); d++)
			KUNIT_ASSERT_EQ(test, claim_listed(list, pci_name(pdevs[d])), 1U);
		for (d = 0; d < ARRAY_SIZE(pdevs); d++) {
			u64 t0 = ktime_get_ns();

			KUNIT_ASSERT_EQ_MSG(test, irqlab_release(pci_name(pdevs[d]),
								 IRQLAB_RELEASE_REPROBE),
					    0, "cycle %u: release %s", cycle, pci_name(pdevs[d]));
			release_ns[d] += ktime_get_ns() - t0;
		}
	}
	for (d = 0; d < ARRAY_SIZE(pdevs); d++)
		kunit_info(test, "%s: claim %llu us, release %llu us on average\n",
			   pci_name(pdevs[d]), div_u64(claim_ns[d], CLAIM_CYCLES * 1000),
			   div_u64(release_ns[d], CLAIM_CYCLES * 1000));

	claim_list_fill(test, list);
	KUNIT_EXPECT_EQ(test, list->count, 0U);
	for (d = 0; d < ARRAY_SIZE(pdevs); d++)
		claim_expect_state(test, pdevs[d], before[d], "claim/release cycles");
}

/* A case that failed half way leaves nothing claimed for the next. */
static void claim_exit(struct kunit *test)
{
	static const u16 ids[][2] = {
		{ IVSHMEM_VENDOR, IVSHMEM_DEVICE },
		{ E1000E_VENDOR, E1000E_DEVICE },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct pci_dev *pdev = pci_get_device(ids[i][0], ids[i][1], NULL);

		if (!pdev)
			continue;
		if (claim_bound_to_irqlab(pdev))
			irqlab_release(pci_name(pdev), IRQLAB_RELEASE_REPROBE);
		pci_dev_put(pdev);
	}
}

static int claim_suite_init(struct kunit_suite *suite)
{
	int ret = irqlab_pci_register();

	claim_registered = !ret;
	return ret;
}

/* Runs even when suite_init failed. */
static void claim_suite_exit(struct kunit_suite *suite)
{
	if (claim_registered)
		irqlab_pci_unregister();
	claim_registered = false;
}

static struct kunit_case irqlab_claim_cases[] = {
	KUNIT_CASE(malformed_address_is_einval),
	KUNIT_CASE(missing_device_is_enodev),
	KUNIT_CASE(no_msix_is_eopnotsupp),
	KUNIT_CASE(claim_and_release_ivshmem),
	KUNIT_CASE(e1000e_force_restores_its_driver),
	KUNIT_CASE(force_restores_a_stand_in_driver),
	KUNIT_CASE_SLOW(claim_release_cycles),
	{ }
};

static struct kunit_suite irqlab_claim_suite = {
	.name = "irqlab_claim",
	.suite_init = claim_suite_init,
	.suite_exit = claim_suite_exit,
	.exit = claim_exit,
	.test_cases = irqlab_claim_cases,
};

kunit_test_suites(&irqlab_claim_suite);
