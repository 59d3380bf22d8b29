"""SSH signatures (the SSHSIG format of `ssh-keygen -Y sign`), checked in process.

Verification uses `sshsig`, a maintained implementation of OpenSSH's documented SSHSIG format
on top of `cryptography`: no subprocess per article, so a thousand approvals check in a blink.
Keys are OpenSSH public key lines, the same lines git's allowed_signers file holds; ed25519 and
RSA keys are supported.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import sshsig
from sshsig import PublicKey
from sshsig.binary_io import SshReader
from sshsig.sshsig import SshsigSignature


@dataclass(frozen=True)
class Signer:
    """Who a valid signature belongs to, as far as the signature itself says."""

    fingerprint: str  # SHA256:..., as `ssh-keygen -l` prints it
    key_line: str  # the OpenSSH public key line (type and base64, no comment)


@functools.lru_cache(maxsize=1024)
def parse_key(line: str) -> PublicKey | None:
    """The public key of an OpenSSH key line; None when it is not one we can use."""
    try:
        return PublicKey.from_openssh_str(line.strip())
    except Exception:  # as in `signer`: whatever cannot be read is no key
        return None


def fingerprint(line: str) -> str:
    key = parse_key(line)
    return key.sha256_str() if key is not None else "(not a key)"


def signer(message: bytes, armored: str, namespace: str) -> Signer | None:
    """The key that made `armored` over `message` for `namespace`; None when the signature is
    not valid (malformed, another message, another namespace)."""
    try:
        key = sshsig.check_signature(message, armored, namespace)
    except Exception:
        # Anyone may write a signature into a pull request, and one the library cannot read
        # may make it raise anything (a hash algorithm of "shake_128" raised TypeError, and
        # crashed every later build reading it from history): all of them are not valid.
        return None
    return Signer(key.sha256_str(), key.openssh_str())


def same_key(line: str, other: str) -> bool:
    first, second = parse_key(line), parse_key(other)
    return first is not None and first == second


@functools.lru_cache(maxsize=4096)
def signature_id(armored: str) -> str:
    """One name for a signature however it is written: the digest of the signature bytes a
    verifier checks. Its armor can be re-wrapped, padded or given other ignored fields without
    changing what verifies (Ed25519 and RSA signatures themselves cannot be altered and still
    verify), so two spellings of one signature are the same approval. The text itself, for one
    that cannot be read."""
    try:
        inner = SshReader.from_bytes(SshsigSignature.from_armored(armored).signature)
        inner.read_string()  # the algorithm's name
        return hashlib.sha256(inner.read_string()).hexdigest()
    except Exception:  # as in `signer`
        return armored
