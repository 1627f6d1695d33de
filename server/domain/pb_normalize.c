#include "pb_normalize.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static size_t scalar_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return 0;
	}
}

static bool is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void normalize_field(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	char *base = (char *)m;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(size_t *)(base + f->quantifier_offset);
			ProtobufCMessage **arr =
				*(ProtobufCMessage ***)(base + f->offset);
			for (size_t i = 0; i < n; i++)
				if (arr[i])
					pb_normalize(arr[i]);
		} else {
			ProtobufCMessage *sub =
				*(ProtobufCMessage **)(base + f->offset);
			if (sub)
				pb_normalize(sub);
		}
		return;
	}
	if (f->label != PROTOBUF_C_LABEL_OPTIONAL ||
	    (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return;
	size_t size = scalar_size(f->type);
	if (!size)
		return;  /* strings and bytes: NULL pointers say "absent" */
	protobuf_c_boolean *has =
		(protobuf_c_boolean *)(base + f->quantifier_offset);
	*has = !is_zero(base + f->offset, size);
}

void pb_normalize(ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++)
		normalize_field(m, &d->fields[i]);
}
