"""The engine configuration of a staged site, made from the project's own mkdocs.yml.

MkDocs, ProperDocs and Zensical all read mkdocs.yml. The staged copy is the project's file with
what staging decides put in: `docs_dir` is the staged pages, `site_dir` the output folder beside
them, paths the project gives relative to itself made absolute (theme overrides, hooks), the
pipeline's own plugin left out (staging has done its work), and the template data under
`extra.pipeline`. The pipeline's Markdown extension is always listed: it renders the citations
and sanitizes every page, so no configuration can leave it out. `!ENV` is read as the engines
read it, for the site's address only. Whatever would put code, another site's files or the
build machine's environment on every page is refused first (`check_config`, PUB005).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.nodes
import yaml
import yaml_env_tag

from pipeline import codes
from pipeline.checks.markup import SITE_EXTENSIONS, dangerous_scheme
from pipeline.content.addresses import ASSET_TYPES
from pipeline.content.files import THEME_FOLDER, readable, walk
from pipeline.content.pages import in_articles_folder, svg_problem
from pipeline.content.pdf import pdf_problem
from pipeline.diagnostics import Diagnostic
from pipeline.markdown_extension import NAME as EXTENSION

CONFIG_FILE = "mkdocs.yml"
STAGED_THEME = "theme"  # the copy of the theme's folder beside the staged docs
# What mkdocs.yml may list. Any other extension would render signed text otherwise than check
# read it, or bring files into pages (pymdownx.snippets published any file of the build
# machine); a board that wants one adds it here and in check, under code owners' review. And
# every page renders with each of them, listed or not: check reads an article (and its
# approvals sign it) as they render it (without `admonition`, an approved red "danger" box
# would be a plain paragraph and a grey code block).
ALLOWED_EXTENSIONS = (*SITE_EXTENSIONS, "fenced_code", EXTENSION)
# Their options, each with the values it may take: only how the table of contents looks. A
# permalink's text and title stand in every heading of every article, as if signed with it
# (`permalink: "Approved: adults take 2400 mg"` put unsigned advice there): a symbol only, and
# its default title. No text of the table of contents (`title`, which the `[TOC]` marker puts
# into an article). An option given as a mapping is code to Zensical (`toc: slugify: {object:
# ...}` imported and called any function, at every build).
PERMALINK_SYMBOLS = ("¶", "§", "#")
_LEVELS = re.compile(r"[1-6](?:-[1-6])?")
EXTENSION_OPTIONS: dict[str, dict[str, tuple[str, Callable[[object], bool]]]] = {
    "toc": {
        "permalink": (
            "true, false or one of " + " ".join(PERMALINK_SYMBOLS),
            lambda value: isinstance(value, bool) or value in PERMALINK_SYMBOLS,
        ),
        "toc_depth": (
            "a level or a range of levels (2-3)",
            lambda value: (
                (type(value) is int and 1 <= value <= 6)
                or (isinstance(value, str) and _LEVELS.fullmatch(value) is not None)
            ),
        ),
    }
}


class ConfigError(Exception):
    """mkdocs.yml cannot be read or used; the message says why, for a board member."""

    def diagnostic(self) -> Diagnostic:
        return codes.CONFIG_REFUSED.at(CONFIG_FILE, problem=str(self))


class ThemeFileError(ConfigError):
    """A file of overrides/ cannot be used: reported at that file (and line), not mkdocs.yml."""

    def __init__(self, rel: str, problem: str, line: int = 0) -> None:
        super().__init__(problem)
        self.rel, self.line = rel, line

    def diagnostic(self) -> Diagnostic:
        return codes.THEME_FILE_REFUSED.at(self.rel, self.line, problem=str(self))


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml as the engines do; `!ENV` reads only ENVIRONMENT."""


# The one variable of the build machine's environment mkdocs.yml may read: the site's address,
# which the publish workflow passes. Any other could put a secret on every page
# (`copyright: !ENV GITHUB_TOKEN`).
ENVIRONMENT = frozenset({"SITE_URL"})


def _environment(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """`!ENV NAME` or `!ENV [NAME, ..., default]`, as the engines read it, for ENVIRONMENT."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    names = [
        item.value if isinstance(item, yaml.ScalarNode) else None
        for item in (items[:-1] if len(items) > 1 else items)
    ]
    if not names or any(name not in ENVIRONMENT for name in names):
        line = node.start_mark.line + 1
        raise ConfigError(
            f"{CONFIG_FILE} line {line} reads an environment variable (!ENV) other than "
            f"{', '.join(sorted(ENVIRONMENT))}; write the value itself"
        )
    return yaml_env_tag.construct_env_tag(loader, node)


_Loader.add_constructor("!ENV", _environment)


def read_config(root: Path) -> dict[str, Any]:
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
        # An alias can make a value hold itself, or a few lines expand into millions.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader)):
            raise ConfigError(f"{CONFIG_FILE} uses a YAML alias (*name); write the value out")
        data = yaml.load(text, Loader=_Loader)
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_FILE} is missing") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{CONFIG_FILE} cannot be read: {error}") from None
    except RecursionError:
        raise ConfigError(f"{CONFIG_FILE} is nested too deeply to be read") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_FILE} must hold 'setting: value' lines")
    return data


def _name(plugin: object) -> str | None:
    if isinstance(plugin, str):
        return plugin
    if isinstance(plugin, dict) and len(plugin) == 1:
        return str(next(iter(plugin)))
    return None


def _plugin(plugin: object) -> tuple[str | None, object]:
    """A plugin's name and its options, as a list of plugins gives them."""
    name = _name(plugin)
    return name, plugin[name] if isinstance(plugin, dict) and name in plugin else None


_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,4})?", re.IGNORECASE)


def _extension_names(extensions: list[Any]) -> set[str]:
    return {name for name in map(_name, extensions) if name}


def _scalars(config: dict[str, Any]) -> Iterator[tuple[str, object, bool]]:
    """(dotted key, value, whether it is a key) of every scalar in the configuration, keys
    included (a page's title in `nav` is a key), however deeply nested."""
    pending: list[tuple[str, object]] = [("", config)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, dict):
            yield from ((key or "the top level", name, True) for name in value)
            pending += [(f"{key}.{name}" if key else str(name), v) for name, v in value.items()]
        elif isinstance(value, list):
            pending += [(f"{key}[{index}]", item) for index, item in enumerate(value)]
        else:
            yield key, value, False


# The markup a value may hold, written out in full: the themes print values as HTML, not as
# Markdown, so nothing in a value is code or a comment to be skipped.
_ALLOWED_TAG = re.compile(
    r"""</?(?:a|abbr|b|br|em|i|small|span|strong|sub|sup)(?:\s+(?:href|title)="[^"<>]*")*\s*/?>""",
    re.IGNORECASE,
)
_HREF = re.compile(r'href="([^"]*)"', re.IGNORECASE)


def _markup_problem(value: str, key: str) -> str | None:
    """Why a value's markup could not go on every page, or None. The themes print values as
    HTML and inside attributes (`theme.direction` into the page's <body dir="...">), where a
    straight double quote would end the attribute: a value holds plain text, without <, > or
    a straight double quote; only the copyright line, printed as HTML in the footer, may hold
    links, emphasis, line breaks, sup, sub and abbr, and no straight double quote outside
    them."""
    if key != "copyright":
        if any(mark in value for mark in '<>"'):
            return (
                "holds markup or a straight double quote; only the copyright line may hold markup"
            )
        return None
    for tag in _ALLOWED_TAG.finditer(value):
        for href in _HREF.finditer(tag.group()):
            if scheme := dangerous_scheme(href.group(1)):
                return f"links to a {scheme} address, which could run code"
    rest = _ALLOWED_TAG.sub("", value)
    if "<" in rest:
        return "holds markup other than links, emphasis, line breaks, sup, sub and abbr"
    if '"' in rest:
        return "holds a straight double quote; write typographic quotes (“…”) instead"
    return None


# What a value may be: YAML's plain types (not `!!binary` bytes, which a theme prints as
# "b'...'" with its markup intact, nor sets).
_PLAIN = (str, int, float, bool, dt.date, type(None))
# Material prints `extra.scope` into an inline script: a path, nothing that can end a string.
_SCOPE = re.compile(r"[A-Za-z0-9/._~-]*")


def _inside(path: object, root: Path, folder: str) -> bool:
    """Whether `path`, relative to the repository, names something inside `folder` of it (a
    name that is not text, or holds a NUL, names nothing)."""
    if not isinstance(path, str) or "\0" in path:
        return False
    return (root / path).resolve().is_relative_to((root / folder).resolve())


# The theme of either engine (Zensical reads Material's settings).
THEME = "material"


# The plugins the site uses. Any other can run code the check never saw (material/projects
# builds sub-projects with their own hooks), publish another site's script as the site's own
# (material/privacy), or write outside the site (material/tags' export file).
PLUGINS = frozenset({"pipeline", "search", "material/search"})
# The icons for which Material writes a <style> element into every page.
_STYLED_ICONS = frozenset({"admonition", "annotation", "tag"})
# The languages Material writes right to left.
RIGHT_TO_LEFT = frozenset({"ar", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})
# The theme's features that change only how its own parts look or behave. Instant navigation
# is not one: it fetches the next page and swaps in the first container it parses, without
# scripts, so a container a template hid in a <noscript> stood where the approved article
# should, without disclaimer or review status, for every reader arriving by a link.
FEATURES = frozenset(
    {"content.action.edit", "content.action.view", "content.code.copy", "content.tabs.link"}
    | {"header.autohide", "navigation.expand", "navigation.footer", "navigation.indexes"}
    | {"navigation.path", "navigation.sections", "navigation.tabs", "navigation.tabs.sticky"}
    | {"navigation.top", "navigation.tracking", "search.highlight", "search.share"}
    | {"search.suggest", "toc.follow", "toc.integrate"}
)


def check_code(config: dict[str, Any], root: Path) -> None:
    """Refuse settings that bring in files no code owner reviews: `INHERIT` (another file's
    settings, merged by the engines after this check), `extra_templates` (files of the pages
    rendered as templates), a theme folder other than overrides/,
    hooks outside it (overrides/ is under code owners' review, SECURITY.md), a Markdown
    extension other than the site's own (ALLOWED_EXTENSIONS), a plugin other than the site's
    own, an output folder other than site/, and a site script (`extra_javascript`,
    `extra.polyfills`) or stylesheet that is not a `.js` or `.css` file of overrides/."""
    if "INHERIT" in config:
        raise ConfigError("INHERIT is set; write the settings in mkdocs.yml itself")
    if config.get("extra_templates"):
        # MkDocs renders them from the pages' folder with an unsandboxed Jinja: a picture of
        # content/pages with a template in a comment ran Python in the build.
        raise ConfigError("extra_templates is set; templates live in overrides/ only")
    plugins = config.get("plugins") or []
    if not isinstance(plugins, (list, dict)):
        raise ConfigError("plugins must be a list of plugin names")
    listed = plugins.items() if isinstance(plugins, dict) else map(_plugin, plugins)
    for name, settings in listed:
        if name not in PLUGINS:
            raise ConfigError(
                f"the plugin {name!r} is not allowed; the site uses {', '.join(sorted(PLUGINS))}"
            )
        # Search takes its languages only: a `separator` is a regular expression every reader's
        # browser (and the build) runs on the whole site's text, one that backtracks hangs it.
        given = settings if isinstance(settings, dict) else {}
        accepted = {"lang"} if name != "pipeline" else set()
        languages = given.get("lang") or []
        languages = languages if isinstance(languages, list) else [languages]
        if set(given) - accepted or not all(
            isinstance(code, str) and _LANGUAGE.fullmatch(code) for code in languages
        ):
            what = "no option but lang (language codes)" if accepted else "no option"
            raise ConfigError(f"the plugin {name!r} takes {what}")
    if config.get("site_dir", "site") != "site":
        raise ConfigError("site_dir must be site (the build puts the site there itself)")
    extra = config.get("extra")
    # The themes write `extra.polyfills` as script elements too (a PDF of the pages, named
    # there, was loaded on every page as the site's own script).
    polyfills = extra.get("polyfills") if isinstance(extra, dict) else None
    theme = config.get("theme")
    options: dict[str, Any] = theme if isinstance(theme, dict) else {}
    # The logo and the favicon stand on every article page: pictures of the theme, which the
    # admins sign (one of the site pages was redrawn by a pull request nobody signed).
    pictures = tuple(sorted(ASSET_TYPES - {".pdf"}))
    for key, entries, suffixes in (
        ("extra_javascript", config.get("extra_javascript"), (".js", ".mjs")),
        ("extra.polyfills", polyfills, (".js", ".mjs")),
        ("extra_css", config.get("extra_css"), (".css",)),
        ("theme.logo", options.get("logo"), pictures),
        ("theme.favicon", options.get("favicon"), pictures),
    ):
        entries = entries or []
        for entry in entries if isinstance(entries, list) else [entries]:
            path = entry.get("path") if isinstance(entry, dict) else entry
            if not isinstance(path, str) or not path.lower().endswith(suffixes):
                raise ConfigError(
                    f"{key} lists {path!r}; name a {' or '.join(suffixes)} file "
                    "of the theme (overrides/)"
                )
            local = not re.match(r"[A-Za-z][\w+.-]*:|/|\\", path)
            if not local or not (root / THEME_FOLDER / path).is_file() or ".." in path:
                raise ConfigError(f"{key} lists {path!r}; name a file of the theme in overrides/")
    named = options.get("name") if isinstance(theme, dict) else theme
    if named != THEME:
        raise ConfigError(f"theme.name must be {THEME} (the theme whose scripts pages may run)")
    # Left to right: in a right-to-left page, runs of English words written in reverse order
    # (a right-to-left mark between them) are shown in reading order, where every reading of
    # the audit kept the written one.
    language = str(options.get("language", "en"))
    if options.get("direction", "ltr") != "ltr" or language.split("-")[0].lower() in RIGHT_TO_LEFT:
        raise ConfigError(
            "theme.direction and theme.language must be left to right (the site is in English)"
        )
    # What makes the theme write a <style> element into every page (which the audit refuses)
    # or fetch fonts from Google's servers: refused here, before anything is rendered.
    if options.get("font") is not False:  # unset, the theme's default fonts are Google's
        raise ConfigError("theme.font must be false (the theme would load fonts from Google)")
    icons = options.get("icon")
    icons = icons if isinstance(icons, dict) else {}
    for name in [name for name in sorted(_STYLED_ICONS) if icons.get(name)]:  # none: no style
        raise ConfigError(
            f"theme.icon.{name} is set; the theme writes a <style> element for it, which no "
            "page may carry"
        )
    features = options.get("features") or []
    for feature in features if isinstance(features, list) else [features]:
        if not isinstance(feature, str) or feature not in FEATURES:
            raise ConfigError(
                f"theme.features lists {feature!r}; the site may use {', '.join(sorted(FEATURES))}"
            )
    custom = options.get("custom_dir")
    if custom is not None and (
        not _inside(custom, root, THEME_FOLDER)
        or (root / custom).resolve() != (root / THEME_FOLDER).resolve()
    ):
        raise ConfigError("theme.custom_dir must be overrides (the theme's reviewed folder)")
    hooks = config.get("hooks") or []
    for hook in hooks if isinstance(hooks, list) else [hooks]:
        if not _inside(hook, root, THEME_FOLDER):
            raise ConfigError(f"hooks lists {hook!r}; keep hooks in overrides/")
    extensions = config.get("markdown_extensions") or []
    for entry in extensions if isinstance(extensions, list) else [extensions]:
        name = _name(entry)
        if name is None or name.removeprefix("markdown.extensions.") not in ALLOWED_EXTENSIONS:
            raise ConfigError(
                f"markdown_extensions lists {entry!r}; the site renders with "
                f"{', '.join(ALLOWED_EXTENSIONS)} only (the ones check reads articles with)"
            )
        options = (entry[name] if isinstance(entry, dict) else None) or {}
        allowed = EXTENSION_OPTIONS.get(name.removeprefix("markdown.extensions."), {})
        for option, value in options.items() if isinstance(options, dict) else [(options, 0)]:
            if option not in allowed:
                raise ConfigError(
                    f"markdown_extensions gives {name} the option {option!r}; "
                    + (f"it takes {', '.join(allowed)}" if allowed else "it takes none")
                )
            what, takes = allowed[option]
            if not takes(value):
                raise ConfigError(
                    f"markdown_extensions gives {name} the {option} {value!r}; it takes {what}"
                )


# Files of overrides/ the engines copy as they are; any other may be a template (a page's, the
# sitemap's).
THEME_ASSETS = frozenset(
    {".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"}
    | {".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf"}
)
# What the theme folder may hold: templates, hooks and the files above.
_THEME_FILES = THEME_ASSETS | {".html", ".py"}
# A template named by include, import or extends: a file of the theme, by a written name (an
# icon of the theme's set too, as Material's documentation includes one).
_TEMPLATE_NAME = re.compile(r"\.icons/[A-Za-z0-9_/-]+\.svg|(?![./])[A-Za-z0-9_./-]+\.html")


def is_hook_cache(rel: str) -> bool:
    """Whether `rel` is a hook's compiled cache (`overrides/__pycache__/hooks.cpython-311.pyc`):
    once a build had written one, every later check refused it as no file of a theme."""
    parts = rel.split("/")
    return len(parts) > 1 and parts[-2] == "__pycache__" and rel.endswith(".pyc")


def check_templates(root: Path) -> None:
    """Refuse a template of overrides/ that names another template otherwise than by a written
    name of the theme (`{% include "partials/x.html" %}`): Zensical's template engine includes
    any file by an absolute or `../` name (a withheld article, /proc/self/environ), where
    MkDocs' Jinja renders nothing. Templates are code the board's admins sign (REV012,
    SECURITY.md); this keeps the two engines reading the same files."""
    parser = jinja2.Environment()
    for path in walk(root / THEME_FOLDER):
        if not readable(root, path):
            continue  # a link or a badly named file: reported once (FM018, files.py)
        rel = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        if is_hook_cache(rel):
            continue  # Python's own, written as MkDocs imports a hook; no engine publishes it
        inside = path.relative_to(root / THEME_FOLDER).as_posix()
        if suffix != ".html" and in_articles_folder(inside):  # templates are not published
            raise ThemeFileError(
                rel,
                "this file is in a folder named like articles/: published at that path, it "
                "holds what the build's audit takes for an article's address",
            )
        if suffix not in _THEME_FILES:
            # Both engines leave out dotfiles (a .gitkeep); a read-me they do not: Zensical
            # copies overrides/README.xsd into the site as it is.
            if path.name.startswith("."):
                continue
            # The engines copy what they do not render into the site as it is: a page of
            # another type (.xhtml, .htm, .xml) would carry a script without the site's policy,
            # and Zensical runs overrides/mkdocs_theme.yml through YAML's unsafe loader.
            raise ThemeFileError(
                rel,
                "this file is not a template (.html), a hook (.py), a stylesheet, a script, a "
                "font or an image; the theme folder holds nothing else",
            )
        try:
            data = path.read_bytes() if suffix in (".svg", ".pdf") else b""
        except OSError as error:
            raise ThemeFileError(rel, f"this file cannot be read: {error.strerror}") from None
        why = svg_problem(data) if suffix == ".svg" else pdf_problem(data) if data else None
        if why:
            what = "a plain picture" if suffix == ".svg" else "a document to read"
            raise ThemeFileError(rel, f"this file is not {what}: it is {why}")
        if suffix in THEME_ASSETS - {".svg"} or suffix == ".py":
            continue  # an icon is included as a template: read as one below
        try:
            tree = parser.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError) as error:
            line = getattr(error, "lineno", None) or 0
            raise ThemeFileError(
                rel, f"this file cannot be read as a template: {error}", line
            ) from None
        except RecursionError:
            raise ThemeFileError(rel, "this template nests too deeply to be read") from None
        except ValueError as error:  # a number too long for Python to read (`{{ 111…1 }}`)
            raise ThemeFileError(rel, f"this file cannot be read as a template: {error}") from None
        for node in tree.find_all(
            (
                jinja2.nodes.Include,
                jinja2.nodes.Import,
                jinja2.nodes.FromImport,
                jinja2.nodes.Extends,
            )
        ):
            named = getattr(node, "template", None)
            value = named.value if isinstance(named, jinja2.nodes.Const) else None
            if not (
                isinstance(value, str) and _TEMPLATE_NAME.fullmatch(value) and ".." not in value
            ):
                raise ThemeFileError(
                    rel,
                    "this line names a template otherwise than as a file of the theme, written "
                    'out (such as "partials/footer.html")',
                    node.lineno,
                )


# An icon of the theme's set, by name ("material/brightness-7"): the themes include
# `.icons/<name>.svg` as a template, and Zensical's engine follows a `../` in it out of the
# theme (to a withheld article, or /proc/self/environ).
_ICON_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)+")
# A parent folder however written, or a backslash (a label "Switch to dark mode..." is none).
_PARENT = re.compile(r"(?:^|/)\.\.(?:/|$)|\\")


def _theme_problem(key: str, value: object) -> str | None:
    """Why a setting could name a file outside the theme, or None: an icon anywhere (a social
    link's too), any theme setting."""
    icon = key.rsplit(".", 1)[-1] == "icon" or key.startswith("theme.icon.")
    if icon and not (isinstance(value, str) and _ICON_NAME.fullmatch(value)):
        return "must be an icon of the theme, by name (such as material/brightness-7)"
    theme = key.startswith("theme.")
    if theme and isinstance(value, str) and _PARENT.search(value):
        return "may not name a file outside the theme (no .. and no backslash)"
    return None


# Gitignore-style patterns of pages: the engines match each against every page's path with a
# regular expression that backtracks, so one of many `*` (`a*a*a*…b`) took minutes a page.
_PAGE_PATTERNS = ("not_in_nav", "exclude_docs", "draft_docs")
MAX_PATTERNS, MAX_STARS = 50, 2
_STARS = re.compile(r"\*\*?")  # a wildcard: `*` or `**` (`***` is two)
# A page of nav that is an article's (`./articles/x.md` too): the breadcrumb of
# `navigation.path` draws the titles of its sections right above the article's own.
_ARTICLE_PAGE = re.compile(r"[./]*articles/", re.IGNORECASE)


def check_config(config: dict[str, Any]) -> None:
    """Refuse what would put code or another site's files on every page. The themes print
    values as HTML outside any page's content (the copyright line, nav titles), some into
    their inline scripts, where the page policy allows the theme's scripts by hash: values may
    hold only plain text (the copyright line a link or emphasis too); analytics and its consent
    banner (another site's script) are refused. Site scripts and stylesheets are `check_code`'s."""
    extra = config.get("extra")
    extra = extra if isinstance(extra, dict) else {}
    for name in ("analytics", "consent"):
        if extra.get(name):
            raise ConfigError(
                f"extra.{name} is set; pages load nothing from other sites, so remove it"
            )
    if not _SCOPE.fullmatch(str(extra.get("scope", ""))):
        raise ConfigError("extra.scope must be a path such as / (letters, digits, / . _ ~ -)")
    for key in _PAGE_PATTERNS:
        value = config.get(key) or ""
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be text, one pattern a line (key: |)")
        lines = [line for line in value.splitlines() if line.strip()]
        if len(lines) > MAX_PATTERNS:
            raise ConfigError(f"{key} holds more than {MAX_PATTERNS} patterns; use fewer")
        for line in lines:
            if len(_STARS.findall(line)) > MAX_STARS:
                raise ConfigError(
                    f"{key} has the pattern {line.strip()!r}, with more than {MAX_STARS} "
                    "wildcards (* or **); write it with fewer"
                )
    for _, page, is_key in _scalars({"nav": config.get("nav")}):
        if not is_key and isinstance(page, str) and _ARTICLE_PAGE.match(page):
            raise ConfigError(
                f"nav lists {page!r}; articles are listed by the pipeline, never in nav (a "
                "section's title stood above an approved article's title, unsigned)"
            )
    for key, value, is_key in _scalars(config):
        if not is_key and (problem := _theme_problem(key, value)):
            raise ConfigError(f"the value of {key} {problem}")
        if not isinstance(value, _PLAIN):
            raise ConfigError(f"the value of {key} is not text, a number or a date")
        # A value may be an address (a key is a name: a nav title may well say "Data: ...").
        if isinstance(value, str) and not is_key and (scheme := dangerous_scheme(value)):
            raise ConfigError(f"the value of {key} is a {scheme} address, which could run code")
        if isinstance(value, str) and (problem := _markup_problem(value, key)):
            raise ConfigError(f"the value of {key} {problem}")


def config_problems(root: Path) -> list[Diagnostic]:
    """What `check` reports of mkdocs.yml: every refusal the build would make, so a pull request
    that changes the settings hears of it from the check, before anything is rendered. Nothing
    for a missing or linked file: the build says the one, check_files the other."""
    if not (root / CONFIG_FILE).is_file() or (root / CONFIG_FILE).is_symlink():
        return []
    try:
        checked_config(root)
    except ConfigError as error:
        return [error.diagnostic()]
    return []


def checked_config(root: Path) -> dict[str, Any]:
    """mkdocs.yml read, and every refusal above applied (a `ConfigError` says the first)."""
    config = read_config(root)
    check_config(config)
    check_code(config, root)
    check_templates(root)
    return config


def _staged_hook(root: Path, hook: str) -> str:
    """A hook's path in the staged theme (`check_code` keeps hooks in overrides/)."""
    inside = (root / hook).resolve().relative_to((root / THEME_FOLDER).resolve())
    return f"{STAGED_THEME}/{inside.as_posix()}"


def withheld_slugs(withheld: Iterable[str]) -> list[str]:
    """The file names, without `.md`, of the withheld articles (paths): links to their pages
    become text (`pipeline.markdown_extension`)."""
    return sorted(PurePosixPath(path).stem for path in withheld)


def engine_config(root: Path, template_data: dict[str, Any], withheld: Iterable[str] = ()) -> str:
    """The staged mkdocs.yml (see the module docstring); `withheld`: the articles' paths."""
    config = checked_config(root)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    # Folders a live preview watches: Zensical walked every file under each at every build
    # (`watch: [/usr]` ran for an hour). The staged site needs none.
    config.pop("watch", None)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        theme["custom_dir"] = STAGED_THEME  # beside this file: staging copies overrides/ there
    # Hooks run from the staged copy of the theme too: from overrides/, Python ran a compiled
    # cache committed beside a signed hook (overrides/__pycache__/, unchecked) in its place.
    hooks = config.get("hooks")
    if isinstance(hooks, list):
        config["hooks"] = [_staged_hook(root, h) if isinstance(h, str) else h for h in hooks]
    plugins = config.get("plugins")
    if isinstance(plugins, list):
        config["plugins"] = [p for p in plugins if _name(p) != "pipeline"]
    elif isinstance(plugins, dict):
        config["plugins"] = {k: v for k, v in plugins.items() if k != "pipeline"}
    extensions = config.get("markdown_extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{CONFIG_FILE}: markdown_extensions must be a list")
    extensions = [e for e in extensions if _name(e) != EXTENSION]
    present = _extension_names(extensions)
    config["markdown_extensions"] = [
        *extensions,
        *(e for e in ALLOWED_EXTENSIONS if e not in present and e != EXTENSION),
        {EXTENSION: {"withheld": withheld_slugs(withheld)}},
        # Zensical renders fences with superfences, which colours code with Pygments: some of
        # its lexers are quadratic (a line of 16,000 blanks in `autoit` took 52 s). The code
        # stays plain, as MkDocs writes it; under MkDocs this changes nothing.
        {"pymdownx.highlight": {"use_pygments": False}},
    ]
    extra = config.get("extra")
    config["extra"] = {**(extra if isinstance(extra, dict) else {}), "pipeline": template_data}
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000)
