"""A throw-away OpenLDAP server for tests: Debian's slapd on a free port, an mdb database in a temp folder.

`Slapd(folder, suffix, schemas)` writes a slapd.conf (core, cosine, inetorgperson, nis, then `schemas`;
ppolicy overlay when the module is installed, so `pwdAccountLockedTime` exists as at the operators),
optionally loads LDIF offline with slapadd, starts slapd, waits until it answers and stops it at the end.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import ldap3

from tests.support.processes import free_port
from tests.support.processes import stop as stop_process

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SYSTEM_SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
ROOT_PASSWORD = "test-root-secret"


def slapd_available() -> bool:
    return SLAPD.exists() and SLAPADD.exists() and (SYSTEM_SCHEMAS / "core.schema").exists()


def _has_ppolicy() -> bool:
    return (MODULES / "ppolicy.la").exists() or (MODULES / "ppolicy.so").exists()


@dataclass
class Slapd:
    folder: Path
    suffix: str = "dc=esco-centre,dc=fr"
    rootdn: str = "cn=admin,ou=administrateurs,dc=esco-centre,dc=fr"
    schemas: list[Path] = field(default_factory=list)
    system_schemas: tuple[str, ...] = ("core", "cosine", "inetorgperson", "nis")
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def password(self) -> str:
        return ROOT_PASSWORD

    def admin_connection(self) -> ldap3.Connection:
        """A connection bound as the directory's administrator, to read what an adapter wrote."""
        return ldap3.Connection(ldap3.Server(self.url, get_info=ldap3.NONE), self.rootdn, self.password, auto_bind=True)

    @property
    def conf(self) -> Path:
        return self.folder / "slapd.conf"

    def write_conf(self) -> None:
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        lines = [f"include {SYSTEM_SCHEMAS / name}.schema" for name in self.system_schemas]
        lines += [f"include {path}" for path in self.schemas]
        lines += [
            f"pidfile {self.folder / 'slapd.pid'}",
            f"argsfile {self.folder / 'slapd.args'}",
            f"modulepath {MODULES}",
            "moduleload back_mdb",
        ]
        ppolicy = _has_ppolicy()
        if ppolicy:
            lines.append("moduleload ppolicy")
        lines += [
            "loglevel 0",
            "sizelimit 500",
            "database mdb",
            "maxsize 104857600",
            f'suffix "{self.suffix}"',
            f'rootdn "{self.rootdn}"',
            f"rootpw {ROOT_PASSWORD}",
            f'directory "{data}"',
            "index objectClass eq",
        ]
        if ppolicy:
            lines.append("overlay ppolicy")
        lines += ["access to attrs=userPassword by self write by anonymous auth by * none", "access to * by * read"]
        self.conf.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def slapadd(self, ldif: str) -> None:
        path = self.folder / "load.ldif"
        path.write_text(ldif, encoding="utf-8")
        done = subprocess.run(
            [str(SLAPADD), "-f", str(self.conf), "-l", str(path)], capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"slapadd failed ({done.returncode}):\n{done.stderr[-3000:]}")

    def start(self, timeout: float = 20.0) -> None:
        if self.process is not None:
            return
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(SLAPD), "-h", f"{self.url}/", "-f", str(self.conf), "-d", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                self.process = None
                raise RuntimeError(f"slapd exited before answering:\n{output[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"slapd did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        stop_process(process)
        if process.stdout:
            process.stdout.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def base_entries(suffix: str, rootdn: str, ous: list[str]) -> str:
    """LDIF for the suffix entry (dc=…) and organisational units under it."""
    first = suffix.split(",")[0]
    attr, value = first.split("=", 1)
    blocks = [
        f"dn: {suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\n"
        f"{attr}: {value}\no: {value}\n"
    ]
    for ou in ous:
        blocks.append(f"dn: ou={ou},{suffix}\nobjectClass: top\nobjectClass: organizationalUnit\nou: {ou}\n")
    return "\n".join(blocks) + "\n"
