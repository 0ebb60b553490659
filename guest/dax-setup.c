// SPDX-License-Identifier: MIT
/*
 * dax-setup: inside the pudbench guest, turn the label-less namespace of an
 * NVDIMM region (x86's NFIT) into a device-dax instance with the requested
 * alignment and report it through libdaxctl.  A region whose DIMM has
 * labels (pseries' papr_scm: no label-less namespaces) gets one pmem
 * namespace over all of it first.
 *
 *   dax-setup --align 1G|2M|4K|<bytes> [--region N]
 *
 * Output (stdout, one line on success):
 *   DAX /dev/dax0.0 size=<bytes> align=<bytes> mode=devdax node=<n> target_node=<n>
 *
 * This is the only pudbench code allowed to reconfigure a namespace, and it
 * destroys whatever is on it.  So it refuses to run anywhere but in the
 * harness's guest (marker file from our initramfs + kernel cmdline flag),
 * exiting 2.
 *
 * The libndctl sequence follows what `ndctl create-namespace -f -e
 * namespaceX.Y -m devdax -a ALIGN` does for an io (label-less) namespace:
 * disable the namespace, take the region's dax seed, give it a uuid, the
 * pmem location and the alignment, attach the namespace, enable.  An io
 * namespace has a fixed size, so there is no size to set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <linux/ndctl.h> /* ND_DEVICE_NAMESPACE_IO; Debian's ndctl/ndctl.h needs ccan */
#include <uuid/uuid.h>

#define GUEST_MARKER_FILE "/etc/pudbench-guest"
#define GUEST_CMDLINE_FLAG "pudbench.guest=1"

enum { EXIT_REFUSED = 2 };

static const char *prog = "dax-setup";

static void usage(FILE *f)
{
	fprintf(f, "usage: %s --align 1G|2M|4K|<bytes> [--region N]\n", prog);
}

/* Parse "1G", "2M", "4K", "4096" into bytes; 0 on error. */
static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'G': case 'g': v <<= 30; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'K': case 'k': v <<= 10; end++; break;
	default: break;
	}
	if (*end)
		return 0;
	return v;
}

/* Whether the cmdline holds the flag as a whole word. */
static bool cmdline_has(const char *flag)
{
	char buf[4096];
	size_t n, len = strlen(flag);
	const char *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, flag)); p += len) {
		bool start = p == buf || p[-1] == ' ';
		char after = p[len];

		if (start && (after == '\0' || after == ' ' || after == '\n'))
			return true;
	}
	return false;
}

static bool in_guest(void)
{
	return access(GUEST_MARKER_FILE, F_OK) == 0 &&
	       cmdline_has(GUEST_CMDLINE_FLAG);
}

static int read_sysfs_int(const char *path, int dflt)
{
	FILE *f = fopen(path, "r");
	int v;

	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

static struct ndctl_region *find_region(struct ndctl_ctx *ctx, unsigned int id)
{
	struct ndctl_bus *bus;
	struct ndctl_region *region;

	ndctl_bus_foreach(ctx, bus)
		ndctl_region_foreach(bus, region)
			if (ndctl_region_get_id(region) == id)
				return region;
	return NULL;
}

/*
 * A labelled region's namespace seed made a pmem namespace over the whole
 * region, as `ndctl create-namespace -r regionN` does (the kernel writes
 * the label index itself on a blank label area).
 */
static struct ndctl_namespace *create_pmem_namespace(struct ndctl_region *region)
{
	struct ndctl_namespace *seed = ndctl_region_get_namespace_seed(region);
	unsigned long long size = ndctl_region_get_max_available_extent(region);
	uuid_t uu;
	int rc;

	if (!seed || ndctl_namespace_get_type(seed) != ND_DEVICE_NAMESPACE_PMEM || !size) {
		fprintf(stderr, "%s: %s has no pmem namespace seed or no free space\n", prog,
			ndctl_region_get_devname(region));
		return NULL;
	}
	uuid_generate(uu);
	if ((rc = ndctl_namespace_set_uuid(seed, uu)) ||
	    (rc = ndctl_namespace_set_alt_name(seed, "pudbench")) ||
	    (rc = ndctl_namespace_set_size(seed, size))) {
		fprintf(stderr, "%s: create a namespace in %s: %s\n", prog,
			ndctl_region_get_devname(region), strerror(-rc));
		return NULL;
	}
	return seed;
}

/*
 * The namespace to convert: the region's one io namespace (label-less
 * NVDIMMs have exactly one, namespaceR.0), else its pmem namespace (one
 * made by an earlier run, or a new one).
 */
static struct ndctl_namespace *find_namespace(struct ndctl_region *region)
{
	struct ndctl_namespace *ndns;

	ndctl_namespace_foreach(region, ndns)
		if (ndctl_namespace_get_type(ndns) == ND_DEVICE_NAMESPACE_IO)
			return ndns;
	ndctl_namespace_foreach(region, ndns)
		if (ndctl_namespace_get_type(ndns) == ND_DEVICE_NAMESPACE_PMEM &&
		    ndctl_namespace_get_size(ndns))
			return ndns;
	return create_pmem_namespace(region);
}

static bool align_supported(struct ndctl_dax *dax, unsigned long align)
{
	int i, n = ndctl_dax_get_num_alignments(dax);

	/* Old kernels do not list alignments: let the kernel decide. */
	if (n <= 0)
		return true;
	for (i = 0; i < n; i++)
		if (ndctl_dax_get_supported_alignment(dax, i) == align)
			return true;
	return false;
}

static int convert(struct ndctl_region *region, struct ndctl_namespace *ndns,
		   unsigned long align)
{
	const char *nsname = ndctl_namespace_get_devname(ndns);
	struct ndctl_dax *dax;
	uuid_t uu;
	int rc;

	/* Unbinds nd_pmem (or a stale pfn/dax claim) from the namespace. */
	rc = ndctl_namespace_disable_invalidate(ndns);
	if (rc) {
		fprintf(stderr, "%s: disable %s: %s\n", prog, nsname,
			strerror(-rc));
		return -1;
	}

	dax = ndctl_region_get_dax_seed(region);
	if (!dax) {
		fprintf(stderr, "%s: %s has no dax seed (dax_pmem loaded?)\n",
			prog, ndctl_region_get_devname(region));
		return -1;
	}
	if (!align_supported(dax, align)) {
		fprintf(stderr, "%s: align %lu not supported by %s\n", prog,
			align, ndctl_dax_get_devname(dax));
		return -1;
	}

	/* The kernel refuses to bind a dax seed without a uuid (ENODEV). */
	uuid_generate(uu);
	if ((rc = ndctl_dax_set_uuid(dax, uu)) ||
	    (rc = ndctl_dax_set_location(dax, NDCTL_PFN_LOC_PMEM)) ||
	    (rc = ndctl_dax_set_align(dax, align))) {
		fprintf(stderr, "%s: configure %s: %s\n", prog,
			ndctl_dax_get_devname(dax), strerror(-rc));
		return -1;
	}
	/*
	 * holder_class, which only label-backed namespaces have (an io
	 * namespace gives ENXIO), says in the label that it is devdax.
	 */
	if (ndctl_namespace_get_type(ndns) == ND_DEVICE_NAMESPACE_PMEM &&
	    (rc = ndctl_namespace_set_enforce_mode(ndns, NDCTL_NS_MODE_DEVDAX))) {
		fprintf(stderr, "%s: enforce devdax on %s: %s\n", prog, nsname, strerror(-rc));
		return -1;
	}
	rc = ndctl_dax_set_namespace(dax, ndns);
	if (rc) {
		fprintf(stderr, "%s: attach %s to %s: %s\n", prog, nsname,
			ndctl_dax_get_devname(dax), strerror(-rc));
		return -1;
	}
	rc = ndctl_dax_enable(dax);
	if (rc) {
		fprintf(stderr, "%s: enable %s: %s\n", prog,
			ndctl_dax_get_devname(dax), strerror(-rc));
		/* Give the seed back, as ndctl does on failure. */
		ndctl_dax_set_namespace(dax, NULL);
		return -1;
	}
	return 0;
}

/* Check the result through libdaxctl and print the DAX line. */
static int report(struct ndctl_namespace *ndns, unsigned long align)
{
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	struct daxctl_region *dregion;
	struct daxctl_dev *dev;
	char path[256];
	int found = 0;

	if (ndctl_namespace_get_mode(ndns) != NDCTL_NS_MODE_DEVDAX || !dax) {
		fprintf(stderr, "%s: %s is not in devdax mode\n", prog,
			ndctl_namespace_get_devname(ndns));
		return -1;
	}
	dregion = ndctl_dax_get_daxctl_region(dax);
	if (!dregion) {
		fprintf(stderr, "%s: no daxctl region for %s\n", prog,
			ndctl_dax_get_devname(dax));
		return -1;
	}
	daxctl_dev_foreach(dregion, dev) {
		const char *name = daxctl_dev_get_devname(dev);
		unsigned long long size = daxctl_dev_get_size(dev);
		unsigned long dalign = daxctl_dev_get_align(dev);
		int node;

		/* A zero-size device is the region's next seed, not ours. */
		if (!size)
			continue;
		if (!daxctl_dev_is_enabled(dev)) {
			fprintf(stderr, "%s: %s is not enabled\n", prog, name);
			return -1;
		}
		/* devdax, not onlined as system-ram by kmem. */
		if (daxctl_dev_has_online_memory(dev)) {
			fprintf(stderr, "%s: %s is in system-ram mode\n", prog,
				name);
			return -1;
		}
		/* Old libdaxctl/kernels report 0 when align is not exposed. */
		if (dalign && dalign != align) {
			fprintf(stderr, "%s: %s align %lu, wanted %lu\n", prog,
				name, dalign, align);
			return -1;
		}
		if (size < align || size % align) {
			fprintf(stderr, "%s: %s size %llu not a multiple of %lu\n",
				prog, name, size, align);
			return -1;
		}
		snprintf(path, sizeof(path), "/dev/%s", name);
		if (access(path, R_OK | W_OK)) {
			fprintf(stderr, "%s: %s: %s\n", prog, path,
				strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/numa_node",
			 name);
		node = read_sysfs_int(path, -1);
		printf("DAX /dev/%s size=%llu align=%lu mode=devdax node=%d target_node=%d\n",
		       name, size, dalign ? dalign : align, node,
		       daxctl_dev_get_target_node(dev));
		found++;
	}
	if (found != 1) {
		fprintf(stderr, "%s: expected one dax device, found %d\n", prog,
			found);
		return -1;
	}
	return 0;
}

/* --align and --region into @align and @region_id; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, unsigned long *align, unsigned int *region_id)
{
	static const struct option longopts[] = {
		{ "align", required_argument, NULL, 'a' },
		{ "region", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "a:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			*align = parse_size(optarg);
			if (!*align || (*align & (*align - 1))) {
				fprintf(stderr, "%s: bad --align '%s'\n", prog,
					optarg);
				return 1;
			}
			break;
		case 'r':
			*region_id = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!*align || optind != argc) {
		usage(stderr);
		return 1;
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned long align = 0;
	unsigned int region_id = 0;
	struct ndctl_ctx *ctx;
	struct ndctl_region *region;
	struct ndctl_namespace *ndns;
	struct ndctl_dax *cur;
	int rc = parse_args(argc, argv, &align, &region_id);

	if (rc >= 0)
		return rc;

	if (!in_guest()) {
		fprintf(stderr,
			"%s: refusing to run: not inside the pudbench guest "
			"(needs %s and '%s' on the kernel cmdline). "
			"This tool destroys the data on an NVDIMM namespace.\n",
			prog, GUEST_MARKER_FILE, GUEST_CMDLINE_FLAG);
		return EXIT_REFUSED;
	}

	rc = ndctl_new(&ctx);
	if (rc) {
		fprintf(stderr, "%s: ndctl_new: %s\n", prog, strerror(-rc));
		return 1;
	}
	region = find_region(ctx, region_id);
	if (!region) {
		fprintf(stderr, "%s: no region%u (nfit/libnvdimm loaded?)\n",
			prog, region_id);
		goto fail;
	}
	ndns = find_namespace(region);
	if (!ndns) {
		fprintf(stderr, "%s: region%u has no namespace to convert\n",
			prog, region_id);
		goto fail;
	}

	/* Idempotent: leave a matching devdax alone. */
	cur = ndctl_namespace_get_dax(ndns);
	if (!(ndctl_namespace_get_mode(ndns) == NDCTL_NS_MODE_DEVDAX && cur &&
	      ndctl_dax_is_enabled(cur) && ndctl_dax_get_align(cur) == align)) {
		if (convert(region, ndns, align))
			goto fail;
	}
	if (report(ndns, align))
		goto fail;
	ndctl_unref(ctx);
	return 0;
fail:
	ndctl_unref(ctx);
	return 1;
}
