// SPDX-License-Identifier: MIT
/*
 * device-dax: the only backend that gives 1 GiB PUD mappings of device
 * memory.  A devdax device may hold somebody's data, so it is used only when
 * the user named it and confirmed the run is destructive, and never when it
 * is bound to kmem (system-ram mode).
 */
#include "backend.h"
#include "devdax.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>

#include "config.h"

/* Driver a dax device is bound to: "device_dax", "kmem", or "" if none. */
static void dax_driver(const char *devname, char *buf, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/dax/devices/%s/driver", devname);
	n = readlink(link, target, sizeof(target) - 1);
	buf[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(buf, len, "%s", basename(target));
	}
}

int pb_devdax_list(pb_devdax_cb cb, void *arg)
{
	struct daxctl_ctx *ctx;
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	int n = 0;

	if (daxctl_new(&ctx))
		return -1;
	daxctl_region_foreach(ctx, region) {
		daxctl_dev_foreach(region, dev) {
			struct pb_devdax_info info = { 0 };
			char driver[64];

			snprintf(info.path, sizeof(info.path), "/dev/%s", daxctl_dev_get_devname(dev));
			info.size = daxctl_dev_get_size(dev);
			info.align = daxctl_dev_get_align(dev);
			info.node = daxctl_dev_get_target_node(dev);
			dax_driver(daxctl_dev_get_devname(dev), driver, sizeof(driver));
			info.system_ram = !strcmp(driver, "kmem");
			info.enabled = daxctl_dev_is_enabled(dev) > 0;
			cb(&info, arg);
			n++;
		}
	}
	daxctl_unref(ctx);
	return n;
}

struct find_arg {
	const char *path;
	struct pb_devdax_info *out;
	bool found;
};

static void find_cb(const struct pb_devdax_info *info, void *arg)
{
	struct find_arg *fa = arg;

	if (!strcmp(info->path, fa->path)) {
		*fa->out = *info;
		fa->found = true;
	}
}

int pb_devdax_check(const char *path, struct pb_devdax_info *info, char *why, size_t len)
{
	struct find_arg fa = { .path = path, .out = info };
	struct stat st;

	if (strncmp(path, "/dev/dax", 8)) {
		snprintf(why, len, "%s: not a device-dax path (expected /dev/daxX.Y)", path);
		return -1;
	}
	if (stat(path, &st)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(why, len, "%s: not a character device", path);
		return -1;
	}
	if (pb_devdax_list(find_cb, &fa) < 0 || !fa.found) {
		snprintf(why, len, "%s: not found by libdaxctl as a dax device", path);
		return -1;
	}
	if (info->system_ram) {
		snprintf(why, len, "%s: in system-ram (kmem) mode; refusing to touch it", path);
		return -1;
	}
	if (!info->enabled) {
		snprintf(why, len, "%s: not enabled in devdax mode", path);
		return -1;
	}
	return 0;
}

static bool devdax_probe(const struct pb_config *cfg, char *reason, size_t len)
{
	struct pb_devdax_info info;

	if (!cfg->device[0]) {
		snprintf(reason, len, "no device named (--device /dev/daxX.Y --destructive)");
		return false;
	}
	if (pb_devdax_check(cfg->device, &info, reason, len))
		return false;
	if (!cfg->destructive) {
		snprintf(reason, len, "%s would be overwritten: confirm with --destructive "
			 "or 'destructive = yes' in [devdax]", cfg->device);
		return false;
	}
	return true;
}

static int devdax_map(const struct pb_config *cfg, struct pb_mapping *m, char *err, size_t len)
{
	struct pb_devdax_info info;
	void *addr;
	int fd;

	if (pb_devdax_check(cfg->device, &info, err, len))
		return -1;
	if (m->size > info.size) {
		snprintf(err, len, "%s holds %llu bytes, the case needs %zu",
			 cfg->device, info.size, m->size);
		return -1;
	}
	fd = open(cfg->device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "open %s: %s", cfg->device, strerror(errno));
		return -1;
	}
	/* device-dax insists on MAP_SHARED and on its alignment. */
	addr = mmap(m->addr, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (addr == MAP_FAILED) {
		snprintf(err, len, "mmap %s (align %lu): %s", cfg->device, info.align,
			 strerror(errno));
		close(fd);
		return -1;
	}
	m->fd = fd;
	return 0;
}

static size_t devdax_page_size(const struct pb_config *cfg)
{
	struct pb_devdax_info info;
	char why[256];

	return pb_devdax_check(cfg->device, &info, why, sizeof(why)) ? 0 : info.align;
}

static void devdax_unmap(struct pb_mapping *m)
{
	munmap(m->addr, m->size);
	close(m->fd);
	m->fd = -1;
}

const struct pb_backend pb_backend_devdax = {
	.name = "devdax",
	.summary = "a device-dax character device named with --device (destructive)",
	.page_size = PB_SZ_1G,	/* the device's align decides; verified per case */
	.page_size_of = devdax_page_size,
	.zap_keeps_data = true,
	.fixed_page_size = true,
	.probe = devdax_probe,
	.map = devdax_map,
	.unmap = devdax_unmap,
};
