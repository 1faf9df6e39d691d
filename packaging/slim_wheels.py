"""Build the two native wheels the release bundle carries in place of PyPI's.

PyPI's ``opencv-python-headless`` is 170 MB in the bundle: every OpenCV module (DNN,
calibration, stitching, photo…), FFmpeg with its video codecs, OpenBLAS and gfortran for
LAPACK, AVIF, OpenEXR, TIFF, WebP, all linked at load time so none can be dropped from the
built program. The terminal uses OpenCV's core, image processing, PNG/JPEG codecs,
video capture through V4L2 (a USB webcam) and the QR detector. Built from the same
release's source with only those, it is some 15 MB.

NumPy's wheel carries OpenBLAS (28 MB with gfortran); the terminal does no linear algebra
beyond a few vector norms. Built with ``-Dallow-noblas=true`` NumPy uses its own small
LAPACK instead.

Both wheels keep their project's name and version, so pip sees the same requirements
met. They are cached (``$NAKAMA_WHEEL_CACHE``, else ``~/.cache/nakama/wheels``) under a key
of the versions, the flags and this file; a build takes some 15-25 minutes on two cores,
once.

    python packaging/slim_wheels.py [--python .venv/bin/python]   # prints the wheels' folder
    python packaging/slim_wheels.py --cached-only   # the same if built, else exit 3

Linux only (the Windows bundle keeps PyPI's wheels: see the README). Needs cmake, a C++
compiler and the Python headers; the sources come from PyPI, checked by their SHA-256.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import html.parser
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = "https://pypi.org/simple"

# The OpenCV modules the terminal's code calls (drivers/qr, drivers/camera.py,
# app/ui/camera_view.py): objdetect brings features, geometry and flann with it.
OPENCV_MODULES = "core,imgproc,imgcodecs,videoio,objdetect,python3,python_bindings_generator"
OPENCV_CMAKE = [
    "-DCMAKE_BUILD_TYPE=Release",
    f"-DBUILD_LIST={OPENCV_MODULES}",
    "-DBUILD_SHARED_LIBS=OFF",  # one cv2 extension, the modules linked into it
    "-DBUILD_TESTS=OFF", "-DBUILD_PERF_TESTS=OFF", "-DBUILD_EXAMPLES=OFF", "-DBUILD_DOCS=OFF",
    "-DBUILD_opencv_apps=OFF", "-DBUILD_JAVA=OFF", "-DBUILD_opencv_python2=OFF",
    "-DBUILD_opencv_python3=ON", "-DBUILD_opencv_dnn=OFF",
    "-DPYTHON3_LIMITED_API=ON", "-DOPENCV_PYTHON3_INSTALL_PATH=python",
    # video: V4L2 only (USB webcams); no FFmpeg, GStreamer, FireWire, VA
    "-DWITH_V4L=ON", "-DWITH_FFMPEG=OFF", "-DWITH_GSTREAMER=OFF", "-DWITH_1394=OFF",
    "-DWITH_VA=OFF", "-DWITH_VA_INTEL=OFF", "-DWITH_OBSENSOR=OFF",
    # images: PNG and JPEG, built in; nothing else
    "-DBUILD_JPEG=ON", "-DBUILD_PNG=ON", "-DBUILD_ZLIB=ON", "-DWITH_TIFF=OFF",
    "-DWITH_WEBP=OFF", "-DWITH_OPENJPEG=OFF", "-DWITH_JASPER=OFF", "-DWITH_OPENEXR=OFF",
    "-DWITH_AVIF=OFF", "-DWITH_JPEGXL=OFF", "-DWITH_GDAL=OFF", "-DWITH_GDCM=OFF",
    "-DWITH_SPNG=OFF", "-DWITH_IMGCODEC_HDR=OFF", "-DWITH_IMGCODEC_SUNRASTER=OFF",
    "-DWITH_IMGCODEC_PXM=OFF", "-DWITH_IMGCODEC_PFM=OFF", "-DWITH_IMGCODEC_GIF=OFF",
    # no LAPACK/BLAS, accelerators or GUI; IPP would be downloaded from GitHub at build
    "-DWITH_LAPACK=OFF", "-DWITH_EIGEN=OFF", "-DWITH_IPP=OFF", "-DWITH_ITT=OFF",
    "-DWITH_OPENCL=OFF", "-DWITH_TBB=OFF", "-DWITH_OPENMP=OFF", "-DWITH_PROTOBUF=OFF",
    "-DWITH_ADE=OFF", "-DWITH_FLATBUFFERS=OFF", "-DWITH_CUDA=OFF", "-DWITH_GTK=OFF",
    "-DWITH_QT=OFF", "-DWITH_VTK=OFF",
    # imgproc would fetch a 5 MB CJK font from GitHub for putText where the network allows
    "-DWITH_UNIFONT=OFF",
    # SSE3 as the baseline (any x86-64 shop PC); SSE4.1 and AVX2 kernels chosen at run time
    "-DCPU_DISPATCH=SSE4_1;AVX2",
    "-DOPENCV_GENERATE_PKGCONFIG=OFF",
]  # fmt: skip
NUMPY_SETUP = ["-Dblas=none", "-Dlapack=none", "-Dallow-noblas=true"]
# Part of the cache key with the versions and flags: raise it when the way the wheels are
# put together changes.
BUILD_REVISION = 1


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def fetch_sdist(project: str, version: str, dest: Path) -> Path:
    """The project's source release from PyPI's simple index, checked by its SHA-256."""
    norm = re.sub(r"[-_.]+", "-", project).lower()
    with urllib.request.urlopen(f"{INDEX}/{norm}/", timeout=60) as r:
        parser = _Links()
        parser.feed(r.read().decode())
    filename = f"{norm.replace('-', '_')}-{version}.tar.gz"
    for href in parser.hrefs:
        url, _, fragment = href.partition("#sha256=")
        if url.rsplit("/", 1)[-1].lower() == filename.lower():
            break
    else:
        raise SystemExit(f"slim_wheels: no {filename} on {INDEX}/{norm}/")
    target = dest / filename
    if not target.exists():
        with urllib.request.urlopen(url, timeout=600) as r, target.open("wb") as f:
            shutil.copyfileobj(r, f)
    if hashlib.sha256(target.read_bytes()).hexdigest() != fragment:
        target.unlink()
        raise SystemExit(f"slim_wheels: {filename} does not match PyPI's SHA-256")
    return target


def installed_version(python: str, dist: str) -> str:
    out = subprocess.run(
        [python, "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def _record_line(arcname: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [arcname, f"sha256={digest}", str(len(data))]


def write_wheel(out: Path, name: str, version: str, tag: str, files: dict[str, bytes],
                requires: list[str]) -> Path:  # fmt: skip
    """A wheel of the given files (arcname → bytes), with its metadata and RECORD."""
    dist_info = f"{name}-{version}.dist-info"
    meta = [
        "Metadata-Version: 2.1", f"Name: {name.replace('_', '-')}", f"Version: {version}",
        "Summary: OpenCV's core, imgproc, imgcodecs, videoio and objdetect for Nakama's terminal",
        "License: Apache-2.0",
    ] + [f"Requires-Dist: {r}" for r in requires]  # fmt: skip
    files = dict(files)
    files[f"{dist_info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: nakama slim_wheels\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    files[f"{dist_info}/top_level.txt"] = b"cv2\n"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in sorted(files.items()):
        writer.writerow(_record_line(arcname, data))
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    path = out / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in sorted(files.items()):
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if arcname.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def build_opencv(python: str, version: str, work: Path, out: Path) -> Path:
    sdist = fetch_sdist("opencv-python-headless", version, work)
    with tarfile.open(sdist) as t:
        t.extractall(work, filter="data")
    source = work / sdist.name.removesuffix(".tar.gz") / "opencv"
    info = subprocess.run(
        [python, "-c", "import sysconfig, os, numpy; v = sysconfig.get_config_var;"
         "print(sysconfig.get_paths()['include']);"
         "print(os.path.join(v('LIBDIR'), v('LDLIBRARY')));"
         "print(numpy.get_include())"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    build, prefix = work / "build", work / "install"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    subprocess.run(
        ["cmake", *generator, "-S", str(source), "-B", str(build), *OPENCV_CMAKE,
         f"-DPYTHON3_EXECUTABLE={python}", f"-DPYTHON3_INCLUDE_DIR={info[0]}",
         f"-DPYTHON3_LIBRARY={info[1]}", f"-DPYTHON3_NUMPY_INCLUDE_DIRS={info[2]}",
         f"-DCMAKE_INSTALL_PREFIX={prefix}"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    jobs = str(os.cpu_count() or 2)
    print(f"slim_wheels: compiling OpenCV {version} ({OPENCV_MODULES})…", file=sys.stderr)
    log = work / "opencv-build.log"
    with log.open("w") as f:
        done = subprocess.run(["cmake", "--build", str(build), "--parallel", jobs],
                              stdout=f, stderr=subprocess.STDOUT)  # fmt: skip
    if done.returncode:
        sys.stderr.write(log.read_text()[-6000:])
        raise SystemExit(f"slim_wheels: OpenCV did not compile (exit {done.returncode})")
    subprocess.run(["cmake", "--install", str(build)], check=True, stdout=subprocess.DEVNULL)
    package = prefix / "python" / "cv2"
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package).as_posix()
        if path.is_dir() or "__pycache__" in rel or rel.startswith("load_config_py2"):
            continue
        if rel.endswith(".so"):
            stripped = work / "cv2.so"
            subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), str(path)],
                           check=True)  # fmt: skip
            files["cv2/cv2.abi3.so"] = stripped.read_bytes()  # beside __init__.py, as PyPI's
        elif rel in ("config.py", "config-3.py"):
            continue
        else:
            files[f"cv2/{rel}"] = path.read_bytes()
    # The loader's configuration as in PyPI's wheel: the extension beside the loader.
    files["cv2/config.py"] = b"import os\n\nBINARIES_PATHS = [] + BINARIES_PATHS\n"
    files["cv2/config-3.py"] = (
        b"PYTHON_EXTENSIONS_PATHS = [\n    LOADER_DIR\n] + PYTHON_EXTENSIONS_PATHS\n"
    )
    for licence in ("LICENSE.txt", "LICENSE-3RD-PARTY.txt"):
        files[f"cv2/{licence}"] = (source.parent / licence).read_bytes()
    return write_wheel(out, "opencv_python_headless", version, "cp37-abi3-linux_x86_64", files,
                       ["numpy>=2"])  # fmt: skip


def build_numpy(python: str, version: str, out: Path) -> Path:
    before = set(out.glob("numpy-*.whl"))
    subprocess.run(
        [python, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "--no-binary", "numpy",
         "-w", str(out),
         f"numpy=={version}", *[f"-Csetup-args={a}" for a in NUMPY_SETUP]],
        check=True,
    )  # fmt: skip
    (wheel,) = set(out.glob("numpy-*.whl")) - before
    return wheel


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument(
        "--cached-only",
        action="store_true",
        help="print the wheels' folder if they are built, else exit 3 (build nothing)",
    )
    args = p.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("slim_wheels: Linux only; the Windows bundle keeps PyPI's wheels")
    cv_version = installed_version(args.python, "opencv-python-headless")
    np_version = installed_version(args.python, "numpy")
    py_tag = subprocess.run([args.python, "-c", "import sys; print(sys.version_info[:2])"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    key = hashlib.sha256(
        "\n".join(
            [cv_version, np_version, py_tag, *OPENCV_CMAKE, *NUMPY_SETUP, str(BUILD_REVISION)]
        ).encode()
    ).hexdigest()[:16]
    cache = args.cache or Path(
        os.environ.get("NAKAMA_WHEEL_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nakama" / "wheels"
    )
    out = cache / key
    if (out / "done").exists():
        print(f"slim_wheels: reused {out}", file=sys.stderr)
        print(out)
        return 0
    if args.cached_only:
        return 3
    tmp_out = cache / f"{key}.tmp"
    shutil.rmtree(tmp_out, ignore_errors=True)
    tmp_out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="nakama-opencv-") as work:
        cv = build_opencv(args.python, cv_version, Path(work), tmp_out)
    np_wheel = build_numpy(args.python, np_version, tmp_out)
    (tmp_out / "done").write_text(f"{cv.name}\n{np_wheel.name}\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp_out.rename(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
