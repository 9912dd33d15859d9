/* SPDX-License-Identifier: MIT */
/* tree.c - a service's item tree: nodes by path, leaf values, the change queue */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vedbus-private.h"

static struct vedbus_node *node_new(struct vedbus_node *parent, const char *name,
				    const char *path)
{
	struct vedbus_node *n;

	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strdup(name);
	n->path = strdup(path);
	n->children = g_ptr_array_new();
	n->parent = parent;
	if (!n->name || !n->path) {
		free(n->name);
		free(n->path);
		g_ptr_array_unref(n->children);
		free(n);
		return NULL;
	}
	return n;
}

static void item_free(struct vedbus_item *item)
{
	if (!item)
		return;
	value_clear(&item->value);
	value_free(item->min);
	value_free(item->max);
	value_free(item->def);
	free(item);
}

static void node_free(struct vedbus_node *n)
{
	guint i;

	if (!n)
		return;
	for (i = 0; i < n->children->len; i++)
		node_free(g_ptr_array_index(n->children, i));
	g_ptr_array_unref(n->children);
	item_free(n->item);
	free(n->name);
	free(n->path);
	free(n);
}

int tree_init(struct vedbus_service *svc)
{
	svc->nodes = g_hash_table_new(g_str_hash, g_str_equal);
	svc->queue = g_ptr_array_new();
	svc->root = node_new(NULL, "", "/");
	if (!svc->root)
		return -ENOMEM;
	g_hash_table_insert(svc->nodes, svc->root->path, svc->root);
	return 0;
}

void tree_done(struct vedbus_service *svc)
{
	if (svc->nodes)
		g_hash_table_unref(svc->nodes);
	if (svc->queue)
		g_ptr_array_unref(svc->queue);
	node_free(svc->root);
	svc->nodes = NULL;
	svc->queue = NULL;
	svc->root = NULL;
}

struct vedbus_node *tree_lookup(struct vedbus_service *svc, const char *path)
{
	return path ? g_hash_table_lookup(svc->nodes, path) : NULL;
}

/* "/A/B_2/c": absolute, no empty component, no trailing slash, [A-Za-z0-9_] only. */
bool tree_path_valid(const char *path)
{
	const char *p;

	if (!path || path[0] != '/' || path[1] == '\0')
		return false;
	for (p = path + 1; *p; p++) {
		if (*p == '/') {
			if (p[-1] == '/' || p[1] == '\0')
				return false;
			continue;
		}
		if (!g_ascii_isalnum(*p) && *p != '_')
			return false;
	}
	return true;
}

/* Find or create the node for @path, creating intermediate nodes on the way. */
static int tree_make_node(struct vedbus_service *svc, const char *path, struct vedbus_node **ret)
{
	struct vedbus_node *parent = svc->root, *n;
	const char *p = path;
	char *sub;

	while (*p) {
		const char *slash = strchr(p + 1, '/');
		size_t end = slash ? (size_t)(slash - path) : strlen(path);

		sub = g_strndup(path, end);
		n = tree_lookup(svc, sub);
		if (!n) {
			if (parent->item) {
				g_free(sub);
				return -EEXIST; /* a leaf cannot have children */
			}
			n = node_new(parent, strrchr(sub, '/') + 1, sub);
			if (!n) {
				g_free(sub);
				return -ENOMEM;
			}
			g_ptr_array_add(parent->children, n);
			g_hash_table_insert(svc->nodes, n->path, n);
		}
		g_free(sub);
		parent = n;
		p = path + end;
	}
	*ret = parent;
	return 0;
}

int vedbus_service_add(struct vedbus_service *svc, const char *path, enum vedbus_type type,
		       unsigned int flags, struct vedbus_item **ret_item)
{
	struct vedbus_item *item;
	struct vedbus_node *node;
	int r;

	if (!svc || !tree_path_valid(path) || type > VEDBUS_TYPE_STRING)
		return -EINVAL;
	node = tree_lookup(svc, path);
	if (node)
		return -EEXIST;

	item = calloc(1, sizeof(*item));
	if (!item)
		return -ENOMEM;
	r = tree_make_node(svc, path, &node);
	if (r < 0) {
		free(item);
		return r;
	}
	item->svc = svc;
	item->node = node;
	item->type = type;
	item->flags = flags;
	node->item = item;
	if (ret_item)
		*ret_item = item;
	return 0;
}

int vedbus_service_add_table(struct vedbus_service *svc, const struct vedbus_item_def *defs,
			     void *userdata)
{
	struct vedbus_item *item;
	int r;

	if (!svc || !defs)
		return -EINVAL;
	for (; defs->path; defs++) {
		r = vedbus_service_add(svc, defs->path, defs->type, defs->flags, &item);
		if (r < 0)
			return r;
		item->fmt = defs->fmt;
		item->write = defs->write;
		item->userdata = userdata;
	}
	return 0;
}

struct vedbus_item *vedbus_service_item(struct vedbus_service *svc, const char *path)
{
	struct vedbus_node *n;

	if (!svc)
		return NULL;
	n = tree_lookup(svc, path);
	return n ? n->item : NULL;
}

/* Drop @node from its parent and the index, then free parents left without children. */
static void tree_unlink(struct vedbus_service *svc, struct vedbus_node *node)
{
	struct vedbus_node *parent;

	while (node && node->parent) {
		parent = node->parent;
		g_ptr_array_remove(parent->children, node);
		g_hash_table_remove(svc->nodes, node->path);
		node_free(node);
		if (parent->children->len > 0 || !parent->parent)
			break;
		node = parent;
	}
}

void vedbus_item_remove(struct vedbus_item *item)
{
	if (!item)
		return;
	if (item->queued)
		g_ptr_array_remove(item->svc->queue, item);
	tree_unlink(item->svc, item->node);
}

void tree_collect_leaves(struct vedbus_node *node, GPtrArray *ret_items)
{
	guint i;

	if (node->item) {
		g_ptr_array_add(ret_items, node->item);
		return;
	}
	for (i = 0; i < node->children->len; i++)
		tree_collect_leaves(g_ptr_array_index(node->children, i), ret_items);
}

/* The path of @item relative to @base, without a leading slash ("0/Voltage" under "/Dc"). */
const char *tree_relative_path(const struct vedbus_node *base, const struct vedbus_item *item)
{
	const char *p = item->node->path;

	if (!base->parent)
		return p + 1;
	if (base->item == item)
		return "";
	return p + strlen(base->path) + 1;
}

/* Accessors and setters ---------------------------------------------------------------- */

const struct vedbus_value *vedbus_item_get(const struct vedbus_item *item)
{
	return item ? &item->value : NULL;
}

const char *vedbus_item_path(const struct vedbus_item *item)
{
	return item ? item->node->path : NULL;
}

enum vedbus_type vedbus_item_type(const struct vedbus_item *item)
{
	return item ? item->type : VEDBUS_TYPE_INVALID;
}

struct vedbus_service *vedbus_item_service(const struct vedbus_item *item)
{
	return item ? item->svc : NULL;
}

void vedbus_item_set_format(struct vedbus_item *item, const struct vedbus_format *fmt)
{
	if (item)
		item->fmt = fmt;
}

void vedbus_item_set_write_fn(struct vedbus_item *item, vedbus_write_fn fn, void *userdata)
{
	if (!item)
		return;
	item->write = fn;
	item->userdata = userdata;
}

void vedbus_item_set_flags(struct vedbus_item *item, unsigned int flags)
{
	if (item)
		item->flags = flags;
}

static int limit_replace(struct vedbus_value **slot, const struct vedbus_value *v)
{
	struct vedbus_value *d = NULL;

	if (v) {
		d = value_dup(v);
		if (!d)
			return -ENOMEM;
	}
	value_free(*slot);
	*slot = d;
	return 0;
}

int vedbus_item_set_limits(struct vedbus_item *item, const struct vedbus_value *min,
			   const struct vedbus_value *max, const struct vedbus_value *def)
{
	int r;

	if (!item)
		return -EINVAL;
	r = limit_replace(&item->min, min);
	if (r == 0)
		r = limit_replace(&item->max, max);
	if (r == 0)
		r = limit_replace(&item->def, def);
	return r;
}

const struct vedbus_value *vedbus_item_min(const struct vedbus_item *item)
{
	return item ? item->min : NULL;
}

const struct vedbus_value *vedbus_item_max(const struct vedbus_item *item)
{
	return item ? item->max : NULL;
}

const struct vedbus_value *vedbus_item_default(const struct vedbus_item *item)
{
	return item ? item->def : NULL;
}

int vedbus_item_set(struct vedbus_item *item, const struct vedbus_value *v)
{
	struct vedbus_value c, copy;
	int r;

	if (!item || !v)
		return -EINVAL;
	r = vedbus_value_coerce(v, item->type, &c);
	if (r < 0)
		return r;
	if (vedbus_value_equal(&item->value, &c))
		return 0;
	r = value_copy(&copy, &c);
	if (r < 0)
		return r;
	value_clear(&item->value);
	item->value = copy;
	if (!item->queued) {
		item->queued = true;
		g_ptr_array_add(item->svc->queue, item);
	}
	return 1;
}

int vedbus_item_set_int(struct vedbus_item *item, int64_t i)
{
	struct vedbus_value v = vedbus_int(i);

	return vedbus_item_set(item, &v);
}

int vedbus_item_set_double(struct vedbus_item *item, double d)
{
	struct vedbus_value v = vedbus_double(d);

	return vedbus_item_set(item, &v);
}

int vedbus_item_set_string(struct vedbus_item *item, const char *s)
{
	struct vedbus_value v = vedbus_string(s);

	return vedbus_item_set(item, &v);
}

int vedbus_item_invalidate(struct vedbus_item *item)
{
	struct vedbus_value v = vedbus_invalid();

	return vedbus_item_set(item, &v);
}

int vedbus_service_set(struct vedbus_service *svc, const char *path,
		       const struct vedbus_value *v)
{
	struct vedbus_item *item = vedbus_service_item(svc, path);

	return item ? vedbus_item_set(item, v) : -ENOENT;
}
