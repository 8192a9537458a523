"""The GitOps repository: a commit on a branch, never twice, working tree untouched."""

from __future__ import annotations

from pathlib import Path

from adapters.gitops import GitRepository
from tests.e2e.experiments import git


async def test_a_promotion_is_a_commit_on_its_own_branch_and_a_retry_returns_the_same_one(
    tmp_path: Path,
) -> None:
    repository = GitRepository(tmp_path / "gitops")
    files = {"otelcol/process-metrics/config.yaml": "receivers: {}\n"}
    first = await repository.commit(
        branch="phoenix/x-topk", files=files, message="Promote topk\n\nKey: 1\n", key="Key: 1"
    )
    again = await repository.commit(
        branch="phoenix/x-topk", files=files, message="Promote topk\n\nKey: 1\n", key="Key: 1"
    )
    assert first == again
    assert (
        git(tmp_path / "gitops", "show", f"{first.commit_id}:otelcol/process-metrics/config.yaml")
        == "receivers: {}\n"
    )
    assert git(tmp_path / "gitops", "rev-parse", "main").strip() != first.commit_id
    assert not (tmp_path / "gitops" / "otelcol").exists(), "the working tree is not touched"


async def test_a_configured_remote_receives_the_branch(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    repository = GitRepository(tmp_path / "gitops", remote=str(remote))
    made = await repository.commit(
        branch="phoenix/y", files={"a.yaml": "a\n"}, message="m\n\nK\n", key="K"
    )
    assert git(remote, "rev-parse", "refs/heads/phoenix/y").strip() == made.commit_id
