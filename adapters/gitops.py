"""The GitOps repository: a local git repository (created if missing), pushed to a remote when set."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from adapters.settings import redacted
from handlers.ports import Commit

IDENTITY = {
    "GIT_AUTHOR_NAME": "Phoenix",
    "GIT_AUTHOR_EMAIL": "phoenix@localhost",
    "GIT_COMMITTER_NAME": "Phoenix",
    "GIT_COMMITTER_EMAIL": "phoenix@localhost",
}


class GitError(RuntimeError):
    """A git command failed; the message has git's own words."""


class GitRepository:
    """Commits with git's plumbing into a private index: the working tree is never touched."""

    def __init__(self, path: Path, *, base: str = "main", remote: str | None = None) -> None:
        self.path, self.base, self.remote = path, base, remote
        self._lock = asyncio.Lock()

    async def _git(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> str:
        process = await asyncio.create_subprocess_exec(
            "git",
            "-C",
            str(self.path),
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **IDENTITY, **(env or {})},
        )
        out, err = await process.communicate(stdin.encode() if stdin is not None else None)
        if process.returncode != 0:
            said = err.decode().strip()
            if self.remote:  # a remote URL may hold a token: never in an error (or an event)
                said = said.replace(self.remote, redacted(self.remote))
            raise GitError(f"git {' '.join(args[:2])} in {self.path}: {said}")
        return out.decode()

    async def ensure(self) -> None:
        """A repository with a first commit on the base branch, made here if there is none."""
        if (self.path / ".git").exists() or (self.path / "HEAD").exists():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        await self._git("init", "--quiet", "-b", self.base)
        readme = (
            "# Collector configurations\n\n"
            "Promoted by Phoenix: each promotion is a branch with the measured config and its "
            "results, for review.\n"
        )
        (self.path / "README.md").write_text(readme)
        await self._git("add", "README.md")
        await self._git("commit", "--quiet", "-m", "Start the GitOps repository")

    async def _tip(self, ref: str) -> str | None:
        try:
            return (
                await self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{ref}")
            ).strip()
        except GitError:
            return None

    async def commit(self, *, branch: str, files: dict[str, str], message: str, key: str) -> Commit:
        async with self._lock:
            await self.ensure()
            tip = await self._tip(branch)
            if tip is not None and key in await self._git("log", "-1", "--format=%B", tip):
                return await self._done(tip, branch)  # made before a crash: not again
            parent = tip or await self._tip(self.base)
            if parent is None:
                raise GitError(f"{self.path} has no branch {self.base!r} to start from")
            with tempfile.TemporaryDirectory() as scratch:
                index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
                await self._git("read-tree", parent, env=index)
                for path, content in sorted(files.items()):
                    blob = (await self._git("hash-object", "-w", "--stdin", stdin=content)).strip()
                    await self._git(
                        "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=index
                    )
                tree = (await self._git("write-tree", env=index)).strip()
            commit = (
                await self._git("commit-tree", tree, "-p", parent, "-F", "-", stdin=message)
            ).strip()
            await self._git("update-ref", f"refs/heads/{branch}", commit, *([tip] if tip else []))
            return await self._done(commit, branch)

    async def _done(self, commit: str, branch: str) -> Commit:
        if self.remote:
            await self._git("push", "--quiet", self.remote, f"{commit}:refs/heads/{branch}")
        where = redacted(self.remote) if self.remote else str(self.path)
        return Commit(commit_id=commit, repository=where, branch=branch)
