#!/usr/bin/env python3
"""Converts a legacy (pre-1.6, non-zip) PyTorch state_dict file to safetensors, with the
standard library only (no torch).

The legacy format is a sequence of pickles and raw bytes:
  pickle: magic number 0x1950a86a20f9469cfc6c
  pickle: protocol version (1001)
  pickle: sys_info (endianness, type sizes)
  pickle: the state_dict; every storage inside is a persistent id
          ('storage', storage_type, key, location, element_count[, view_metadata])
          and every tensor a call to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
  pickle: the list of storage keys, in the order their bytes follow
  then, per key: an 8-byte little-endian element count and that many elements' raw bytes.

Only F32 tensors are written; integer buffers (BatchNorm's num_batches_tracked) are not weights
and are left out. Usage: convert_torch_legacy.py IN.pth OUT.safetensors
"""
import collections
import json
import pickle
import struct
import sys

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
# Element sizes of the storage classes the legacy format names.
STORAGE_TYPES = {
    "FloatStorage": ("F32", 4),
    "DoubleStorage": ("F64", 8),
    "HalfStorage": ("F16", 2),
    "LongStorage": ("I64", 8),
    "IntStorage": ("I32", 4),
    "ByteStorage": ("U8", 1),
}


class StorageType:
    def __init__(self, name):
        if name not in STORAGE_TYPES:
            raise ValueError(f"unsupported storage type torch.{name}")
        self.dtype, self.size = STORAGE_TYPES[name]


class Storage:
    def __init__(self, storage_type, key, count):
        self.type, self.key, self.count = storage_type, key, count
        self.data = None


class Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)

    def contiguous_bytes(self):
        size = self.storage.type.size
        count = 1
        for n in self.shape:
            count *= n
        expected, acc = [], 1
        for n in reversed(self.shape):
            expected.insert(0, acc)
            acc *= n
        data = self.storage.data
        if count == 0:
            return b""
        if list(self.stride) == expected or count == 1:
            start = self.offset * size
            return data[start:start + count * size]
        out = bytearray()   # a strided view: gather element by element (never met in practice)
        for flat in range(count):
            index, rem = self.offset, flat
            for dim in reversed(range(len(self.shape))):
                index += (rem % self.shape[dim]) * self.stride[dim]
                rem //= self.shape[dim]
            out += data[index * size:(index + 1) * size]
        return bytes(out)


def rebuild_tensor(storage, offset, shape, stride, *_):
    return Tensor(storage, offset, shape, stride)


class StateDictUnpickler(pickle.Unpickler):
    def __init__(self, stream, storages):
        super().__init__(stream)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return rebuild_tensor
        if module == "torch" and name.endswith("Storage"):
            return StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        storage_type, key, _location, count = pid[1], pid[2], pid[3], pid[4]
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError(f"storage {key} is a view into another storage: not supported")
        if key not in self.storages:
            self.storages[key] = Storage(storage_type, key, count)
        return self.storages[key]


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def read_legacy(path):
    with open(path, "rb") as f:
        magic = RestrictedUnpickler(f).load()
        if magic != LEGACY_MAGIC:
            raise ValueError(f"{path}: not a legacy PyTorch file (magic {magic!r})")
        protocol = RestrictedUnpickler(f).load()
        if protocol != 1001:
            raise ValueError(f"{path}: unsupported protocol version {protocol}")
        sys_info = RestrictedUnpickler(f).load()
        if not sys_info.get("little_endian", False):
            raise ValueError(f"{path}: big-endian files are not supported")
        storages = {}
        state = StateDictUnpickler(f, storages).load()
        keys = RestrictedUnpickler(f).load()
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            storage = storages[key]
            if count != storage.count:
                raise ValueError(f"storage {key}: {count} elements, pickle said {storage.count}")
            storage.data = f.read(count * storage.type.size)
            if len(storage.data) != count * storage.type.size:
                raise ValueError(f"storage {key}: file ends early")
        if f.read(1):
            raise ValueError(f"{path}: bytes left after the last storage")
    return state


def write_safetensors(tensors, path):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        blob = t.contiguous_bytes()
        header[name] = {"dtype": t.storage.type.dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # data starts 8-byte aligned, so F32 views are aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: convert_torch_legacy.py IN.pth OUT.safetensors")
    state = read_legacy(sys.argv[1])
    if "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    weights = {k: v for k, v in state.items() if isinstance(v, Tensor) and v.storage.type.dtype == "F32"}
    if not weights:
        sys.exit(f"{sys.argv[1]}: no F32 tensors")
    write_safetensors(weights, sys.argv[2])
    print(f"{len(weights)} tensors written to {sys.argv[2]}", file=sys.stderr)


if __name__ == "__main__":
    main()
