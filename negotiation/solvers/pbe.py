"""Perfect Bayesian equilibria of two-player trees, the Intuitive Criterion and prior thresholds.

An *assessment* is a behaviour profile with a *belief* (a probability over its nodes) at
every information set. It is a **weak perfect Bayesian equilibrium** (Mas-Colell, Whinston
and Green, *Microeconomic Theory*, 1995, section 9.C) when every player's continuation is
optimal at every information set given the belief there and the others' behaviour
(*sequential rationality*), and beliefs follow Bayes' rule wherever the profile reaches the
set with positive probability; off the path beliefs are free. It is a **sequential
equilibrium** (Kreps and Wilson, "Sequential equilibria", *Econometrica* 50, 1982) when the
beliefs are moreover limits of Bayes beliefs of fully mixed profiles converging to it.
Every weak PBE is a Nash equilibrium, so the PBE are found among the Nash equilibria of
the reduced strategic form, exactly:

1. **Perfect-information parts.** Every maximal subtree whose information sets are all
   single nodes is a subgame in which sequential rationality is backward induction: it is
   replaced by the value of each of its pure subgame-perfect equilibria (each tie a branch;
   mixtures at ties give further PBE, not listed, as in :mod:`negotiation.solvers.spe`).
2. **The top game** that remains is solved as a bimatrix game (its reduced strategic form,
   :class:`negotiation.solvers.reduced.Fragment`) with the exact engine: every extreme
   equilibrium and the maximal Nash subsets ``conv(X) x conv(Y)`` (Avis, Rosenberg, Savani
   and von Stengel 2010), which describe the whole Nash set, continua included.
3. **Sequential rationality in the top game.** Exactness is guaranteed on the class of trees
   where, in the top game, every player moves at most once on every path and every
   information set off the path with several nodes is followed by terminals only: signalling
   games (a type, a message, a response; Cho and Kreps 1987), screening and trust games with
   types, simultaneous Bayesian games, and all of these with perfect-information tails (an
   accepted offer honoured or weaponised). There, sequential rationality is the one-shot
   condition at every information set: on the path it holds in every Nash equilibrium; off
   the path, at a set with several nodes some belief must make every action played a best
   reply (a linear feasibility problem in the belief, solved by exact linear programming),
   and at a single node every action played must be optimal against the others' behaviour
   (linear in the opponent's mixture). These conditions depend on a profile only through
   its *support pattern* (the actions played at each set), and in a maximal Nash subset
   (mapped to behaviour) the profiles with a given pattern form the relative interior of
   the face spanned by the vertices supported inside it, so the PBE part of every such face
   is a polytope computed exactly; since the set of weak PBE strategy profiles is closed,
   its closure consists of PBE. The answer is the union of these polytopes, each reported
   by its vertices (:attr:`PBESolution.equilibria`) as a :class:`PBESet`. Trees outside
   the class get their Nash equilibria and a note saying that the PBE were not computed,
   never a guess.
4. **Every reported PBE is verified** (:func:`verify_assessment`) as a full assessment:
   behaviour a distribution everywhere, Bayes' rule on the path, and at every information
   set the continuation no worse than the best one (an exact sequence-form best response
   from that set; von Stengel 2007, section 3.10), once for every extreme belief reported.

**Beliefs.** On the path they are Bayes' rule; off the path the admissible beliefs at a set
form a polytope, reported per node as the interval ``[low, high]`` of that node's
probability over the polytope (for two nodes, the whole set). **Sequential**: on the class
above, consistent beliefs at a set off the path are the convex hull of the chance-weighted
distributions over the nodes behind each of the opponent's moves (trembles at different
moves are independent); it is decided exactly when every chance probability is positive and
no two sets off the path are tied by shared moves, else reported as unknown.

**Kinds.** With a chance node at the root (the types) and two or more types of positive
prior, an equilibrium is *separating* when every information set spanning several types
that play reaches is reached by one type only, *pooling* when every such set reached is
reached by every type with the prior unchanged (nothing is revealed), *hybrid*
(semi-separating) otherwise.

**The Intuitive Criterion** (Cho and Kreps, "Signaling games and stable equilibria",
*Quarterly Journal of Economics* 102, 1987, section IV), for signalling games: for a
message ``m`` no type sends, ``D(m)`` holds the types whose equilibrium payoff exceeds the
most ``m`` could bring them against any best response of the receiver to any belief; the
equilibrium fails when some type outside ``D(m)`` gets more from ``m`` than its
equilibrium payoff against every best response to beliefs on the types outside ``D(m)``.
Each PBE says whether it survives and, if not, which message and type break it.

**Prior thresholds** (:func:`prior_thresholds`). Along the prior of the root's chance node,
the PBE change only where the set of *support patterns* that admit a PBE changes. With the
joint probabilities ``tau = prior x behaviour`` of the informed player as variables, the
conditions of a pattern are linear in ``(tau, prior)`` jointly, so the priors where it
admits a PBE form an interval whose ends are exact rationals, found by linear programming:
no bisection. Between two sweep points whose regimes differ, the ends of every pattern met
are evaluated until no new pattern appears, so every change there is found exactly (like
any sweep, changes that undo themselves between two points with the same regime are not
looked for). Where a game's conditions are not linear that way, the function brackets the
change by exact bisection and says so.

**Words.** Each PBE and each set is also said in words (``description``): an action's
label is a verb phrase in the third person, so the player's label followed by it is a
sentence (:func:`action_words`: ``Sender orders beer``; an unlabelled action reads
``chooses <id>``). A signalling game reads ``Sender, whatever its type, orders beer; after
Sender orders quiche (off the path), Receiver believes weak with probability at least 1/2
and duels``; a mixture ``duels (1/2) or does not duel (1/2)`` (a set's description, whose
probabilities vary over it: ``duels or does not duel, at random``).

Floating point only ever proposes: hull memberships are proposed by HiGHS (through scipy)
and accepted only with an exactly checked certificate, and every decision is exact.

The work is split by job: :mod:`negotiation.solvers.pbe_engine` (the top game, faces and
points), :mod:`negotiation.solvers.beliefs` (beliefs, reach, values, exact verification),
:mod:`negotiation.solvers.intuitive` (signalling structure, Intuitive Criterion),
:mod:`negotiation.solvers.prior_threshold` (prior thresholds),
:mod:`negotiation.solvers.linear` (exact linear programming and hull tests),
:mod:`negotiation.solvers.pbe_results` (the result types) and
:mod:`negotiation.output.pbe_report` (JSON and text). This module is the front end:
:func:`solve_pbe`, and every public name of those modules, importable from here.
"""

from __future__ import annotations

from negotiation.errors import LimitError
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.output.pbe_report import pbe_document, pbe_text
from negotiation.solvers.beliefs import verify_assessment
from negotiation.solvers.components import components
from negotiation.solvers.equilibria import enumerate_exactly
from negotiation.solvers.linear import MAX_VERTEX_BASES, linprog
from negotiation.solvers.pbe_engine import (
    MAX_BRANCHES,
    MAX_FACES,
    action_words,
    path_clauses,
    solve_assessments,
)
from negotiation.solvers.pbe_results import (
    Behaviour,
    Deviation,
    NashForm,
    PBESet,
    PBESolution,
    PerfectBayesian,
    UnsupportedError,
)
from negotiation.solvers.prior_threshold import Threshold, prior_thresholds, regime
from negotiation.solvers.reduced import ReducedSolution, reduced_form


def solve_pbe(
    tree: TreeScenario,
    numbers: TreeNumbers | None = None,
    *,
    nash: bool = True,
    reduced: ReducedSolution | None = None,
) -> PBESolution:
    """Every perfect Bayesian equilibrium of a two-player tree, exactly (module docstring).

    Each PBE is matched to the component of the whole tree's reduced-form Nash equilibria
    that holds it. ``reduced`` passes those equilibria when the caller has them already
    (:func:`negotiation.solvers.reduced.solve_reduced` at the same numbers, as
    :func:`negotiation.output.tree_report.analyse` does), so they are not computed twice.
    Otherwise they are computed here within the exact engine's limits; beyond them (a tree
    with types, whose plans multiply across types, can have a reduced form with millions
    of vertices) each ``component`` is -1 and a note says why. ``nash=False`` skips them
    (``component`` -1, no note), which thresholds use: the PBE themselves never need them.

    Selten's entry game, whose only PBE is its subgame-perfect equilibrium:

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> solution = solve_pbe(tree)
    >>> [(e.description, [int(x) for x in e.payoffs]) for e in solution.equilibria]
    [('Entrant enters; Incumbent accommodates', [1, 1])]
    """
    numbers = numbers or tree.numbers
    nash_form: NashForm | None = None
    skipped: list[str] = []
    if reduced is not None:
        nash_form = NashForm.from_reduced(reduced)
    elif nash:
        try:
            nash_form = _nash_form(tree, numbers)
        except LimitError as error:
            skipped.append(
                "each perfect Bayesian equilibrium's 'component' is -1: the Nash equilibria "
                f"of the reduced strategic form are not computed ({error.problem})"
            )
    return solve_assessments(tree, numbers, nash_form, skipped)


def _nash_form(tree: TreeScenario, numbers: TreeNumbers) -> NashForm:
    """The reduced form's Nash equilibria, within the exact engine's documented limits.

    Raises :class:`~negotiation.errors.LimitError` beyond them (checked as the engine
    goes, never an unbounded run).
    """
    form = reduced_form(tree, numbers)
    solution = enumerate_exactly(form.game, tree.origin)
    return NashForm(form.plans, form.game, solution, components(solution.pairs))


__all__ = [
    "MAX_BRANCHES",
    "MAX_FACES",
    "MAX_VERTEX_BASES",
    "Behaviour",
    "Deviation",
    "NashForm",
    "PBESet",
    "PBESolution",
    "PerfectBayesian",
    "Threshold",
    "UnsupportedError",
    "action_words",
    "linprog",
    "path_clauses",
    "pbe_document",
    "pbe_text",
    "prior_thresholds",
    "regime",
    "solve_pbe",
    "verify_assessment",
]
