"""The theme.yaml schema, validated like stories: located errors with "did you mean".

A theme file is parsed with the story reader's position-keeping YAML parser
(`model.loader.parse_yaml`) and every pydantic error becomes the same `Diagnostic`
(`path:line:col: error: field: message — hint`) through `model.loader._error_to_diag`.
Layer lists are checked one layer at a time against the model of their `type`, so an
unknown key in a text layer is reported as an unknown key of text layers.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from outreach.diagnostics import Diagnostic, display_path
from outreach.model.loader import FieldPath, _error_to_diag, _locate, format_field, parse_yaml

Frac4 = tuple[float, float, float, float]
Corner = Literal[
    "top-left", "top-right", "bottom-left", "bottom-right", "top-center", "bottom-center"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Layer(_Strict):
    type: str
    when: str | None = Field(default=None, description="Show only when this field has a value.")


class BackgroundLayer(_Layer):
    color: str | None = None
    gradient: tuple[str, str] | None = None


class MotifLayer(_Layer):
    shape: Literal["rings", "dots", "disc"] = "rings"
    color: str | None = None
    opacity: float = Field(default=0.1, ge=0, le=1)
    at: tuple[float, float] | None = None
    radius: float | None = None
    rings: int | None = None
    width: float | None = None
    step: float | None = None
    dot: float | None = None
    area: Frac4 | None = None


class GhostLayer(_Layer):
    field: str
    font: str | None = None
    size: float = 900
    color: str | None = None
    opacity: float = Field(default=0.08, ge=0, le=1)
    at: tuple[float, float] | None = None
    bleed: float | None = None


class RectLayer(_Layer):
    box: Frac4 | None = None
    area: Frac4 | None = None
    edge: Literal["top", "bottom", "left", "right"] | None = None
    split: float | None = Field(default=None, ge=0, le=1)
    color: str | None = None
    radius: float | None = None


class FrameSpec(_Strict):
    color: str = "surface"
    width: float = 12


class SeamSpec(_Strict):
    color: str = "accent"
    at: Literal["top", "bottom"] = "top"
    width: float = Field(default=1.0, ge=0, le=1, description="Share of the canvas width.")
    height: float = 10


class PhotoLayer(_Layer):
    source: Literal["cover", "person", "beat"] = "cover"
    area: Frac4 | None = Field(default=None, description="Of the canvas.")
    box: Frac4 | None = Field(default=None, description="Of the safe zone (framed photos).")
    edge: Literal["top", "bottom", "left", "right"] | None = None
    split: float | None = Field(default=None, ge=0, le=1, description="Seam, of the safe zone.")
    subject: Frac4 | None = Field(default=None, description="Zone of the photo area for the face.")
    zoom: float = Field(default=1.6, ge=1, le=4)
    subject_min: float = Field(default=0.0, ge=0, le=1)
    darken: float | None = Field(default=None, ge=0, le=1)
    opacity: float | None = Field(default=None, ge=0, le=1)
    shape: Literal["rect", "rounded", "circle"] = "rect"
    radius: float | None = None
    square: bool = False
    frame: FrameSpec | None = None
    treatment: Literal["none", "duotone", "mono"] | None = None
    main: bool = True
    below_text: float | None = Field(
        default=None, description="Start this many px under the text already set."
    )
    to_bottom: float | None = Field(
        default=None, description="Reach down to this many px above the canvas bottom."
    )
    subject_in: Literal["area", "safe"] = Field(
        default="area", description="`subject` is a zone of the photo area, or of its safe part."
    )
    seam: SeamSpec | None = None
    subject_align: Literal["center", "top"] = Field(
        default="center", description="The face in the middle of its zone, or at its top."
    )


class ScrimLayer(_Layer):
    color: str | None = None
    stops: list[tuple[float, float]] | None = None
    axis: Literal["x", "y"] = "y"


class LogoLayer(_Layer):
    box: Frac4 | None = None
    region: Frac4 | None = None
    at: list[Corner] | Corner | None = None
    align: Literal["left", "center", "right"] | None = None
    height: float | None = Field(default=None, ge=40)
    variant: str | None = None
    backing: str | None = None
    shade: str | None = Field(default=None, description="Soft shade on busy photos.")


class _TextStyle(_Strict):
    font: str | None = None
    size: tuple[int, int] | None = None
    color: str | None = None
    align: Literal["left", "center", "right"] | None = None
    max_lines: int | None = Field(default=None, ge=1)
    balance: bool | None = None
    uppercase: bool | None = None
    leading: float | None = None


class TextLayer(_Layer, _TextStyle):
    field: str
    box: Frac4 | None = None
    valign: Literal["top", "center", "bottom"] | None = None
    shadow: str | None = None
    ensure_contrast: bool | None = None
    backing: str | None = None


class StackItem(_TextStyle):
    """One member of a stack: exactly one of field, pill, byline, rule, qr or facts."""

    size: tuple[int, int] | float | None = Field(  # type: ignore[assignment]
        default=None, description="[max, min] text size, or a QR code's side in px."
    )
    field: str | None = None
    pill: str | None = Field(default=None, description="A field set in a rounded pill.")
    byline: bool | None = Field(default=None, description="Name · role · org · place.")
    rule: str | None = Field(default=None, description="An accent bar in this colour.")
    qr: str | None = Field(default=None, description="A QR code of this field (story `qr: true`).")
    facts: bool | None = Field(default=None, description="The recap list of facts.")
    avatar: Literal["cover", "person", "beat"] | None = Field(
        default=None, description="This photo in a circle, in the stack's flow."
    )
    frame: FrameSpec | None = None
    zoom: float | None = Field(default=None, ge=1, le=4)
    subject_min: float | None = Field(default=None, ge=0, le=1)
    subject: Frac4 | None = None
    tight: bool | None = Field(
        default=None, description="Measure a one-line field by its glyphs' own ink."
    )
    number: bool | None = Field(
        default=None, description="Set the field as a figure: symbols smaller and tight."
    )
    when: str | None = None
    gap: float | None = None
    push: float | None = Field(
        default=None, ge=0, le=1, description="Share of the free height put before this item."
    )
    width: float | None = None
    height: float | None = None
    fill: str | None = None
    pad: float | None = None
    shadow: str | None = None
    ensure_contrast: bool | None = None
    backing: str | None = None
    light: str | None = None
    dark: str | None = None
    value: _TextStyle | None = None
    label: _TextStyle | None = None
    value_width: float | None = None
    row_gap: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> StackItem:
        kinds = [
            k
            for k in ("field", "pill", "byline", "rule", "qr", "facts", "avatar")
            if getattr(self, k)
        ]
        if len(kinds) != 1:
            raise ValueError(
                "a stack item needs exactly one of field, pill, byline, rule, qr, facts, avatar"
                + (f" (it has {', '.join(kinds)})" if kinds else "")
            )
        return self


class StackLayer(_Layer):
    region: Frac4 | None = None
    anchor: Literal["top", "center", "bottom"] = "bottom"
    clear: Literal["auto", "above", "below", "none"] = "auto"
    align: Literal["left", "center", "right"] = "left"
    gap: float | None = None
    reserve: bool = Field(default=False, description="Laid out first; other stacks leave room.")
    reserve_gap: float | None = None
    backing: Literal["auto", "none", "band", "scrim", "label", "panel"] = "auto"
    backing_color: str | None = None
    pad: float | None = None
    ramp: float | None = None
    radius: float | None = Field(default=None, description="Corner radius of a `panel`.")
    strength: float | None = Field(default=None, ge=0, le=1)
    avoid_salient: bool | None = None
    below_photo: bool | None = None
    above_photo: bool | None = None
    gap_photo: float | None = None
    items: list[StackItem]


LAYER_MODELS: dict[str, type[_Layer]] = {
    "background": BackgroundLayer,
    "motif": MotifLayer,
    "ghost": GhostLayer,
    "rect": RectLayer,
    "photo": PhotoLayer,
    "scrim": ScrimLayer,
    "logo": LogoLayer,
    "text": TextLayer,
    "stack": StackLayer,
}

Need = Literal[
    "photo",
    "no-photo",
    "face",
    "no-face",
    "person-photo",
    "qr",
    "link",
    "person",
    "quote",
    "pinned",
]


class Variant(_Strict):
    """One named layout of a card type: its layers and when it may be chosen."""

    needs: list[Need] = Field(default_factory=list)
    max_chars: dict[str, int] = Field(default_factory=dict)
    layers: list[dict[str, Any]]


class LogoVariants(_Strict):
    on_dark: str | None = Field(default=None, description="Logo for dark backgrounds.")
    on_light: str | None = Field(default=None, description="Logo for light backgrounds.")


class LogoSpec(LogoVariants):
    vi: LogoVariants | None = None
    en: LogoVariants | None = None


class DuotoneSpec(_Strict):
    dark: str = "text"
    light: str = "background"
    strength: float = Field(default=1.0, ge=0, le=1)


class PhotoSpec(_Strict):
    treatment: Literal["none", "duotone", "mono"] = "none"
    duotone: DuotoneSpec | None = None


class ThemeFile(_Strict):
    """theme.yaml. Every field is optional, so a theme that `extends:` another lists only
    what it changes."""

    name: str | None = None
    label: str | None = None
    extends: str | None = None
    colors: dict[str, str] = Field(default_factory=dict)
    fonts: dict[str, str] = Field(default_factory=dict)
    logo: str | LogoSpec | None = None
    logo_ink: str | None = Field(default=None, description="Colour of the derived one-colour logo.")
    logo_shade: str | None = Field(
        default=None, description="Colour of the soft shade behind a logo on a busy photo."
    )
    handle: dict[str, str] | str | None = Field(default=None, description="The team's handle.")
    music: str | None = None
    keep_together: list[str] = Field(default_factory=list)
    strings: dict[str, dict[str, str]] = Field(default_factory=dict)
    video: dict[str, Any] = Field(default_factory=dict)
    photo: PhotoSpec | None = None
    layouts: dict[str, dict[str, Any]] = Field(default_factory=dict)


FORMATS = ("common", "vertical", "portrait", "landscape")


def _allowed_fields(root: type[BaseModel]) -> Any:
    def model_at(path: FieldPath) -> type[BaseModel] | None:
        return root

    return model_at


def validate_theme_file(path: Path, text: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Parse and validate one theme.yaml; (data, diagnostics). Data is {} on YAML errors."""
    from outreach.model.yamlsafe import YamlProblem

    rel = display_path(path)
    try:
        data, positions, key_positions, problems = parse_yaml(text)
    except YamlProblem as exc:  # in plain words, at the line the person wrote
        return {}, [Diagnostic(rel, exc.line, exc.col, "error", exc.field, exc.message, exc.hint)]
    diags = [
        Diagnostic(rel, line, col, severity, format_field(p), message, hint)
        for p, line, col, severity, message, hint in problems
        if severity == "error"
    ]
    if data is None:
        return {}, diags
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return {}, [
            Diagnostic(
                rel,
                1,
                1,
                "error",
                "(theme)",
                f"must be a mapping of fields (colors:, fonts:, layouts:…), not {kind}",
                "start from assets/themes/default/theme.yaml",
            )
        ]

    def convert(err: Any, prefix: FieldPath, model: type[BaseModel]) -> Diagnostic:
        err = dict(err)
        loc = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in str(p))
        err["loc"] = prefix + loc
        return _error_to_diag(
            err, rel, positions, key_positions, model_at=_nested_model_at(model, len(prefix))
        )

    try:
        ThemeFile.model_validate(data)
    except ValidationError as exc:
        diags += [convert(e, (), ThemeFile) for e in exc.errors()]
    layouts = data.get("layouts")
    if isinstance(layouts, dict):
        for fmt, cards in layouts.items():
            if fmt not in FORMATS:
                diags.append(
                    _unknown(
                        rel,
                        key_positions,
                        positions,
                        ("layouts", fmt),
                        fmt,
                        FORMATS,
                        "layout format",
                    )
                )
                continue
            if not isinstance(cards, dict):
                continue
            for card, body in cards.items():
                where: FieldPath = ("layouts", fmt, card)
                if isinstance(body, list):
                    diags += _check_layers(body, where, rel, positions, key_positions, convert)
                elif isinstance(body, dict):
                    for name, variant in body.items():
                        vpath = (*where, name)
                        if isinstance(variant, list):
                            diags += _check_layers(
                                variant, vpath, rel, positions, key_positions, convert
                            )
                            continue
                        try:
                            Variant.model_validate(variant)
                        except ValidationError as exc:
                            diags += [convert(e, vpath, Variant) for e in exc.errors()]
                            continue
                        diags += _check_layers(
                            variant["layers"],
                            (*vpath, "layers"),
                            rel,
                            positions,
                            key_positions,
                            convert,
                        )
                else:
                    line, col = _locate(positions, where)
                    diags.append(
                        Diagnostic(
                            rel,
                            line,
                            col,
                            "error",
                            format_field(where),
                            "must be a list of layers or a mapping of named layouts",
                            "write `- {type: ...}` lines, or `name: {layers: [...]}`",
                        )
                    )
    return data, sorted(dict.fromkeys(diags), key=lambda d: (d.line, d.col))


def _nested_model_at(model: type[BaseModel], depth: int) -> Any:
    from outreach.model.loader import _model_at

    def model_at(path: FieldPath) -> type[BaseModel] | None:
        return _model_at(path[depth:], model)

    return model_at


def _unknown(
    rel: str,
    key_positions: dict,
    positions: dict,
    path: FieldPath,
    given: str,
    allowed: tuple[str, ...] | list[str],
    what: str,
) -> Diagnostic:
    line, col = key_positions.get(path) or _locate(positions, path)
    close = difflib.get_close_matches(str(given), list(allowed), n=1, cutoff=0.5)
    hint = f"did you mean `{close[0]}`?" if close else "use one of: " + ", ".join(allowed)
    return Diagnostic(
        rel, line, col, "error", format_field(path), f"unknown {what} `{given}`", hint
    )


def _check_layers(
    layers: list[Any],
    where: FieldPath,
    rel: str,
    positions: dict,
    key_positions: dict,
    convert: Any,
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for i, spec in enumerate(layers):
        path = (*where, i)
        if not isinstance(spec, dict):
            line, col = _locate(positions, path)
            diags.append(
                Diagnostic(
                    rel,
                    line,
                    col,
                    "error",
                    format_field(path),
                    "must be a mapping like {type: text, ...}",
                    "",
                )
            )
            continue
        kind = spec.get("type")
        model = LAYER_MODELS.get(str(kind))
        if model is None:
            diags.append(
                _unknown(
                    rel,
                    {},
                    positions,
                    (*path, "type"),
                    str(kind),
                    sorted(LAYER_MODELS),
                    "layer type",
                )
            )
            continue
        try:
            model.model_validate(spec)
        except ValidationError as exc:
            diags += [convert(e, path, model) for e in exc.errors()]
    return diags
