"""Tuned constants and the configuration tree, each with its unit and reason.

Change a configuration with ``dataclasses.replace``; the configuration used is written into every
solution file so that a figure can be reproduced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# The validator's length tolerance, relative to the job's size (the largest width or height of a
# hide, the strip or a piece; see leathernest.validate.length_tolerance). 1e-6 of a 2 m hide is
# 2 µm: far below a knife's precision, far above float64 rounding after a rotation (about 1e-13
# relative). Overlaps, outside and defect reach are lengths compared with it, never areas.
VALIDATION_REL_TOL = 1e-6

# Angles (rotation sets, grain) are compared with this tolerance in degrees; readers of other tools'
# layouts recover angles from coordinates, which costs a few ulps.
ANGLE_TOL_DEG = 1e-6


@dataclass(frozen=True)
class BaselineConfig:
    """The constructive bottom-left nester (shapely, slow, always valid)."""

    free_angles: int = 8  # free rotation is sampled at this many evenly spaced angles
    grid_steps: int = 24  # candidate positions per axis of a hide or strip height
    # Extra clearance the baseline keeps beyond the gap, relative to the job size: ten times the
    # validator's tolerance, so rounding can never turn a layout it found feasible into a violation.
    clearance_rel: float = 1e-5


@dataclass(frozen=True)
class GeometryConfig:
    """How shapes are simplified for the search (never for the validator or the output).

    Simplification is conservative (pieces only grow, hides only shrink: every layout feasible for
    the search is feasible for the true outlines) and applied only where it pays: a piece or hide
    with many vertices costs every query in proportion to its boundary.
    """

    piece_vertices: int = 48  # pieces with more vertices than this are simplified ...
    piece_rel: float = 0.002  # ... by this share of their larger side (0.4 mm on 200 mm)
    hide_vertices: int = 400  # hides with more vertices than this are simplified ...
    hide_rel: float = 2e-4  # ... by this share of their larger side (0.5 mm on 2.5 m)


@dataclass(frozen=True)
class MoveConfig:
    """Sampling and refinement of one piece move (Sparrow's search_placement, scaled to ours).

    Sparrow samples 50 over the container and 25 around the piece and refines 3; with a slower
    evaluation, fewer samples and more moves did better on shirts and dagli in 15 s runs.
    """

    n_container: int = 25  # samples over the piece's container (or another one) per move
    n_focus: int = 15  # samples around the current position per move
    n_refine: int = 2  # best samples refined by coordinate descent
    unique_frac: float = 0.05  # samples closer than this x the piece's min side are "the same"
    # coordinate descent steps: t0, t1 (times the piece's smaller side), r0, r1 (degrees)
    pre_steps: tuple[float, float, float, float] = (0.25, 0.02, 5.0, 1.0)
    fin_steps: tuple[float, float, float, float] = (0.01, 0.001, 0.5, 0.05)
    # ... a step that improves grows by cd_grow, one that fails shrinks by cd_shrink (Sparrow)
    cd_grow: float = 1.1
    cd_shrink: float = 0.5
    p_cross: float = 0.0  # share of container samples sent to another open container (hides)


@dataclass(frozen=True)
class ConstructConfig:
    """How the first layout places one piece (:mod:`leathernest.search.kernels.construct`)."""

    samples: int = 600  # uniform samples per (copy, container) call where no lattice is used
    grid: int = 24  # lattice points per axis of the bottom-left search (24 x 24 per angle)
    # angles a freely turning piece is tried at, and share of the sampled angles drawn from that
    # grid (a partial range: its ends and points between): pieces cut from a hide fit best square
    # to each other, and the first packer's 16 angles beat uniform ones
    turn_angles: int = 16
    range_points: int = 3
    grid_share: float = 0.75
    # the gravity key: reach along the axis plus this times the reach across it (strips: the
    # right edge, the top only breaks ties; hides: mostly along the axis, then across, which keeps
    # the free leather whole)
    y_weight: float = 1e-3
    keep: int = 3  # feasible candidates slid further per call
    slide_min_rel: float = 1e-3  # the slide stops below this step, relative to the piece size
    # Strips: the sampled placements take at most this share of the time (or work) left; the
    # copies left then go in columns right of the layout (a shelf, no search), so that the first
    # layout of thousands of pieces ends in time and packs runs of like pieces tightly.
    time_share: float = 0.5


@dataclass(frozen=True)
class SeparatorConfig:
    """Limits of one separation (Sparrow's defaults scaled to our move rate)."""

    iter_no_improve: int = 200  # iterations without a new lowest overlap before a strike
    strikes: int = 3  # attempts without a 2 % improvement before giving up
    # Most work of one separation, per piece in play (0: no limit): collision evaluations, so
    # that the cap counts what an attempt costs (an iteration that moves three pieces near the
    # end of a separation is cheap; one that moves forty at its start is not).
    max_work_per_piece: float = 0.0
    # Guided local search (Sparrow, consts.rs): a colliding pair's weight grows by a factor from
    # gls_min_inc (the mildest overlap) to gls_max_inc (the worst), a pair apart decays by
    # gls_decay (never below 1); an attempt that does not lower the overlap by 1 - improve is a
    # strike.
    gls_min_inc: float = 1.2
    gls_max_inc: float = 2.0
    gls_decay: float = 0.95
    improve: float = 0.98


@dataclass(frozen=True)
class ExchangeConfig:
    """How worker processes share their best layouts (:mod:`leathernest.search.parallel`)."""

    # Exchanges per run (the last epoch ends with the run): each worker then continues from the
    # best layout of all; more exchanges spend less time on a worse start, fewer keep the
    # workers' searches apart (diversity).
    epochs: int = 8
    min_epoch_s: float = 1.0  # a time-limited epoch lasts at least this long


@dataclass(frozen=True)
class StripConfig:
    """Tunables of the strip optimiser (Sparrow's values where they carry over)."""

    move: MoveConfig = field(default_factory=MoveConfig)
    construct: ConstructConfig = field(default_factory=ConstructConfig)
    explore: SeparatorConfig = field(default_factory=SeparatorConfig)
    compress: SeparatorConfig = field(
        default_factory=lambda: SeparatorConfig(iter_no_improve=100, strikes=5))
    explore_shrink: float = 0.002  # share of the length removed per successful exploration step
    compress_share: float = 0.2  # share of the time (or work) given to compression
    compress_range: tuple[float, float] = (0.0005, 0.00001)  # shrink ratio, start and end
    pool_stddev: float = 0.25  # pick from the infeasible pool: |N(0, s)| x pool size (Sparrow)
    large_item_share: float = 0.75  # pieces making up this share of the area count as large
    # poles per piece for the overlap proxy: (max count, area coverage, smallest radius relative
    # to the first); None keeps the engine's (6, 0.85, 0.1)
    poles: tuple[int, float, float] | None = None
    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)


@dataclass(frozen=True)
class HidesConfig:
    """Tunables of the hide layer, each with its reason (see :mod:`leathernest.search.hides`)."""

    # Moves between hides: share of a move's container samples sent to another open hide copy.
    move: MoveConfig = field(default_factory=lambda: MoveConfig(
        n_container=30, n_focus=20, n_refine=2, p_cross=0.15))
    # Inserting the pieces of a closed hide: many samples over every open copy, since the first
    # position decides how much the separator has to repair.
    insert: MoveConfig = field(default_factory=lambda: MoveConfig(
        n_container=300, n_focus=0, n_refine=3, p_cross=1.0))
    # A hide elimination that does not converge soon rarely does: its least-overlapping layout
    # goes to the pool and later tries continue from it with a disruption (Sparrow's explore).
    # The work cap is the first round's; each round of targets doubles it (up to 8x). On the
    # demo order (66 pieces) a good elimination was feasible after 75k evaluations and a generated
    # order's after 128k-324k; a hopeless one (into the wrong hide) spent 374k on 120 iterations
    # and 1.57M without a cap, still far from feasible.
    separator: SeparatorConfig = field(
        default_factory=lambda: SeparatorConfig(iter_no_improve=50, strikes=3,
                                                max_work_per_piece=4000.0))
    # The final compression's small wall steps are each worth a short try only (Sparrow's
    # compression separator, scaled like the exploring one).
    compress_separator: SeparatorConfig = field(
        default_factory=lambda: SeparatorConfig(iter_no_improve=25, strikes=2,
                                                max_work_per_piece=3000.0))
    # Exploration moves a hide's wall in by this share of the hide's length along its axis (10 to
    # 12 mm on a calf skin: about a knife gap's worth of slack per piece row), halved each time a
    # hide's compression is given up.
    explore_shrink: float = 0.01
    compress_share: float = 0.2  # share of the time (or work) given to the final compression
    compress_range: tuple[float, float] = (0.002, 0.0002)  # its step, start and end (decaying)
    # Failed separations of one target before it is given up for this round, doubling each round
    # (up to 8x): a quick try of every target first (an elimination into the wrong hide can
    # fail for many seconds while the other way round succeeds), then longer ones.
    # In each round, swaps (a smaller or cheaper hide for a used one) come before compressions:
    # compressing every loose hide first took the time the swaps need, and swaps are what find
    # the smaller hides (baldacci2 and 3, 60 s, one worker, seeds 0-1: +1.6 to +3.8 points).
    swap_first: bool = True
    patience_eliminate: int = 3
    patience_swap: int = 2
    patience_compress: int = 3
    patience_refill: int = 2
    pool_size: int = 8  # infeasible layouts kept per target (Sparrow keeps a pool)
    pool_stddev: float = 0.25  # pick from the pool: |N(0, s)| x its size (Sparrow)
    large_item_share: float = 0.75  # pieces making up this share of the area count as large
    # Copies of a hide put on the sheet: enough for a fill of min_fill of its usable leather,
    # plus one, at most the stock; and never more than max_containers in all (memory and grid).
    min_fill: float = 0.25
    max_containers: int = 64
    construct: ConstructConfig = field(default_factory=lambda: ConstructConfig(y_weight=0.35))
    # The first layout opens hides largest first, but when what is left of the order would take
    # at most this share of a smaller hide's usable leather, the smallest such hide is tried
    # first: the last hide of an order is rarely full, and a smaller one wastes less (pieces
    # rarely pack much above 70 % of a hide, so the share leaves room for the packing).
    last_hide_fill: float = 0.7
    # ... and when a closed hide's pieces look for free places on the others: the gaps left in
    # a filled hide are small, so more samples find them
    insert_samples: int = 2000
    # work a tightening is charged (its Python side costs about 100 evaluations), so that a run
    # on a work budget ends even when the separations that follow cost nothing
    tighten_work: int = 100
    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)


@dataclass(frozen=True)
class NestConfig:
    """Every tunable of the engine in one tree."""

    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    strip: StripConfig = field(default_factory=StripConfig)
    hides: HidesConfig = field(default_factory=HidesConfig)

    def as_dict(self) -> dict:
        """Plain dict for solution files."""
        return asdict(self)


DEFAULT_CONFIG = NestConfig()
