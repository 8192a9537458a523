"""The GitOps port in memory, for unit tests: branches of commits, each with its files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from handlers.ports import Commit


@dataclass(frozen=True)
class StoredCommit:
    commit_id: str
    parent: str | None
    files: dict[str, str]
    message: str


class InMemoryGitOps:
    def __init__(self, repository: str = "memory://gitops", *, base: str = "main") -> None:
        self.repository = repository
        root = StoredCommit(self._id("root", base), None, {}, "Start the GitOps repository")
        self.commits: dict[str, StoredCommit] = {root.commit_id: root}
        self.branches: dict[str, str] = {base: root.commit_id}
        self.base = base

    @staticmethod
    def _id(*parts: str) -> str:
        return hashlib.sha1("\0".join(parts).encode()).hexdigest()

    async def commit(self, *, branch: str, files: dict[str, str], message: str, key: str) -> Commit:
        tip = self.branches.get(branch)
        if tip is not None and key in self.commits[tip].message:
            return Commit(commit_id=tip, repository=self.repository, branch=branch)
        parent = tip or self.branches[self.base]
        tree = {**self.commits[parent].files, **files}
        commit_id = self._id(parent, message, *sorted(f"{p}={c}" for p, c in tree.items()))
        self.commits[commit_id] = StoredCommit(commit_id, parent, tree, message)
        self.branches[branch] = commit_id
        return Commit(commit_id=commit_id, repository=self.repository, branch=branch)

    def files(self, branch: str) -> dict[str, str]:
        """The files at the branch's tip."""
        return dict(self.commits[self.branches[branch]].files)
