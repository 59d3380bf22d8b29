"""Signing with the reviewer's own SSH key, through OpenSSH's `ssh-keygen -Y sign`.

Signing goes through ssh-keygen rather than Python so that every kind of key a clinician may
have works the same way: a key file with a passphrase (ssh-keygen asks for it), a key held by
ssh-agent, or a hardware key. Which key: `--key PATH`, else git's `user.signingkey` (the key
they already sign commits with), else the ssh-agent's key that is on the roster, else
`~/.ssh/id_ed25519`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.review.signatures import fingerprint, same_key


class SigningError(Exception):
    """Why no signature could be made, in words for a board member."""


@dataclass(frozen=True)
class KeyChoice:
    """The key ssh-keygen is given: a private key file, or a public one whose private half an
    agent (or a security key) holds. `public` is its public line when known beforehand."""

    path: Path
    public: str | None
    source: str  # how it was chosen, for messages


def _run(args: Sequence[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(list(args), input=data, capture_output=True, check=False, timeout=300)
    except FileNotFoundError:
        raise SigningError(
            f"'{args[0]}' is not installed; install OpenSSH (it provides ssh-keygen) and git"
        ) from None
    except subprocess.TimeoutExpired:
        raise SigningError(f"'{args[0]}' did not answer within 5 minutes") from None


def _public_line(path: Path) -> str | None:
    """The public key line for a key file: the file itself when it is a public key, else the
    `.pub` beside it."""
    for candidate in (path, path.with_name(path.name + ".pub")):
        try:
            text = candidate.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.startswith(("ssh-", "ecdsa-", "sk-")):
            return text.splitlines()[0]
    return None


def _git_signing_key(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "config", "--get", "user.signingkey"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _agent_keys() -> list[str]:
    if not os.environ.get("SSH_AUTH_SOCK"):
        return []
    try:
        done = subprocess.run(
            ["ssh-add", "-L"], capture_output=True, text=True, check=False, timeout=30
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return []
    return [line for line in done.stdout.splitlines() if line.startswith(("ssh-", "ecdsa-", "sk-"))]


def _literal(line: str, folder: Path) -> KeyChoice:
    """A public key given as text: written to a file for ssh-keygen, which asks the agent."""
    handle, name = tempfile.mkstemp(prefix="pipeline-key-", suffix=".pub", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(line.strip() + "\n")
    return KeyChoice(Path(name), line.strip(), "ssh-agent")


def _expanded(name: str) -> Path | None:
    """`name` with a leading ~ expanded; None for "~nosuchuser/key" (no such home folder)."""
    try:
        return Path(name).expanduser()
    except RuntimeError:
        return None


def choose_key(
    given: str | None, roster_keys: Sequence[str], folder: Path, temp: Path
) -> KeyChoice:
    """The key to sign with (see the module docstring). `roster_keys`: the member's keys, used
    to pick the right one from an agent."""
    if given:
        path = _expanded(given)
        if path is None or not path.is_file():
            raise SigningError(f"the key file {given} does not exist")
        return KeyChoice(path, _public_line(path), f"--key {given}")
    configured = _git_signing_key(folder)
    if configured:
        if configured.startswith("key::"):
            return _literal(configured.removeprefix("key::"), temp)
        if configured.startswith(("ssh-", "ecdsa-", "sk-")):
            return _literal(configured, temp)
        path = _expanded(configured)
        if path is not None and path.is_file():
            return KeyChoice(path, _public_line(path), "git config user.signingkey")
    for line in _agent_keys():
        if any(same_key(line, key) for key in roster_keys):
            return _literal(line, temp)
    default = Path.home() / ".ssh" / "id_ed25519"
    if default.is_file():
        return KeyChoice(default, _public_line(default), "~/.ssh/id_ed25519")
    raise SigningError(
        "no SSH key found: pass --key PATH, set git's user.signingkey, load your key into "
        "ssh-agent, or make one with: ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519"
    )


def sign(message: bytes, key: KeyChoice, namespace: str) -> str:
    """The armored signature of `message`, made by ssh-keygen with `key` for `namespace`."""
    done = _run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key.path), "-n", namespace], message)
    armored = done.stdout.decode("utf-8", errors="replace").strip()
    if done.returncode != 0 or "BEGIN SSH SIGNATURE" not in armored:
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise SigningError(f"ssh-keygen could not sign with {key.source}: {' '.join(said[-2:])}")
    return armored + "\n"


def describe(key: KeyChoice) -> str:
    """The key for a message: where it came from, and its fingerprint when known."""
    return f"{key.source} ({fingerprint(key.public)})" if key.public else key.source
