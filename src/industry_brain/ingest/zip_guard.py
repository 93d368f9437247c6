"""Reading the members of an .xlsx/.ods archive without trusting what its directory says.

A zip's central directory states each member's sizes, and a hostile file may lie: a member
declared as 1 KB can inflate to gigabytes, and a loader that trusts the declaration (or
ignores it) then exhausts memory. Here every member is inflated by streaming its compressed
bytes through zlib ourselves, counting what comes out: a member that yields more than it
declares, or more than the configured total, is refused the moment it does, whatever the
directory claims. Every problem is a FileRejected, never a zipfile or zlib traceback.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings

MAX_MEMBERS = 10_000  # an .xlsx of a few sheets holds a few dozen parts
_READ = 1 << 20
_OUT = 4 * 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error)


def _corrupt(file: str, detail: str) -> FileRejected:
    return FileRejected(file, f"文件已损坏，无法作为Excel打开（{detail}）")


class SafeZip:
    """An archive whose directory has been checked, and whose members are read by streaming
    under one budget of inflated bytes (max_uncompressed_bytes) for the whole file."""

    def __init__(self, path: Path, settings: Settings, file: str) -> None:
        self.file = file
        self.limit = settings.max_uncompressed_bytes
        self.inflated = 0
        self._fh: IO[bytes] = path.open("rb")
        try:
            self.infos = self._directory()
        except BaseException:
            self._fh.close()
            raise
        self.names = {i.filename for i in self.infos}

    def _directory(self) -> list[zipfile.ZipInfo]:
        try:
            with zipfile.ZipFile(self._fh) as archive:
                infos = archive.infolist()
        except _ZIP_ERRORS as exc:
            raise _corrupt(self.file, "压缩包目录无法读取") from exc
        if len(infos) > MAX_MEMBERS:
            raise FileRejected(
                self.file, f"压缩包内有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}；疑似损坏或恶意文件"
            )
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                raise _corrupt(self.file, f"压缩包内 {info.filename} 出现两次")
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                raise FileRejected(self.file, "文件已加密（设置了打开密码）：请取消密码后另存再导入")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _corrupt(self.file, f"{info.filename} 使用了不支持的压缩方式")
        declared = sum(i.file_size for i in infos)
        if declared > self.limit:
            raise FileRejected(
                self.file,
                f"文件解压后达 {declared} 字节，超过上限 {self.limit}"
                " (max_uncompressed_bytes)；疑似损坏或恶意文件",
            )
        return infos

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return next((i for i in self.infos if i.filename == name), None)

    def read(self, name: str) -> bytes:
        """A small member whole (workbook.xml, its relationships)."""
        info = self.info(name)
        if info is None:
            raise KeyError(name)
        return b"".join(self.stream(info))

    def stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's inflated bytes in chunks of at most 4 MB, checked as they come: never
        more than the member declares, never more than the file's budget, and exactly what it
        declares by the end of its compressed bytes."""
        start = self._data_start(info)
        self._fh.seek(start)
        left = info.compress_size
        produced = 0
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        try:
            while True:
                if inflater is not None and inflater.unconsumed_tail:
                    raw = inflater.unconsumed_tail
                elif left > 0:
                    raw = self._fh.read(min(_READ, left))
                    if not raw:
                        raise _corrupt(self.file, f"{info.filename} 的数据不完整")
                    left -= len(raw)
                elif inflater is not None and not inflater.eof:
                    raw = b""  # output zlib still holds after the last input
                else:
                    break
                out = raw if inflater is None else inflater.decompress(raw, _OUT)
                produced += len(out)
                self._count(info, produced, len(out))
                if out:
                    yield out
                if inflater is not None and (inflater.eof or not (raw or out)):
                    break
        except zlib.error as exc:
            raise _corrupt(self.file, f"{info.filename} 无法解压") from exc
        if inflater is not None and not inflater.eof:
            raise _corrupt(self.file, f"{info.filename} 的压缩数据不完整")
        if produced != info.file_size:
            raise self._lie(info, produced)

    def _count(self, info: zipfile.ZipInfo, produced: int, more: int) -> None:
        self.inflated += more
        if produced > info.file_size:
            raise self._lie(info, produced)
        if self.inflated > self.limit:
            raise FileRejected(
                self.file,
                f"文件解压后超过 {self.limit} 字节 (max_uncompressed_bytes)，已停止读取；疑似损坏或恶意文件",
            )

    def _lie(self, info: zipfile.ZipInfo, produced: int) -> FileRejected:
        more = "超过" if produced > info.file_size else "不等于"
        return FileRejected(
            self.file,
            f"压缩包目录与内容不符：{info.filename} 声明解压后 {info.file_size} 字节，"
            f"实际{more}此数（已读 {produced} 字节）；疑似损坏或恶意文件，已拒收",
        )

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        try:
            self._fh.seek(info.header_offset)
            header = self._fh.read(_LOCAL_HEADER.size)
            fields = _LOCAL_HEADER.unpack(header)
        except _ZIP_ERRORS as exc:
            raise _corrupt(self.file, f"{info.filename} 的文件头无法读取") from exc
        if fields[0] != b"PK\x03\x04":
            raise _corrupt(self.file, f"{info.filename} 的文件头无效")
        name_len, extra_len = fields[10], fields[11]
        return info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
