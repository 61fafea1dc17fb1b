"""A deterministic, seeded corpus of citing papers for the benchmark.

The corpus imitates what a library of Semantic Scholar citing papers holds:
titles of 40-130 characters and one-sentence summaries of 100-200 characters
(about 220 together), drawn from a Zipf-distributed vocabulary of real
machine-learning words, a long tail of made-up words (close neighbours of each
other, which makes typo tolerance harder, not easier), method names and
acronyms, numbers and percentages; years, venues, authors, identifiers, role
and polarity mixes, a context sentence on some citations, and hubs of very
different sizes (a few with 100k+ citing papers at 1M).

The output is the citetui records format (docs/records-format.md): a header
line, then the hubs, then one line per citing paper with its citations.
The same ``n`` and ``seed`` always give the same bytes.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

CORE = """
learning reinforcement policy optimization model models language large neural network networks
deep training data agent agents reward rewards gradient gradients method methods based
generalization robust robustness efficient efficiency scalable fine tuning alignment preference
human feedback transformer transformers attention diffusion generation generative adversarial
representation representations graph graphs multi task tasks offline online exploration
exploitation control robot robotic robotics manipulation locomotion navigation planning reasoning
benchmark benchmarks evaluation analysis theory theoretical convergence sample complexity bounds
stochastic variance reduction value function functions approximation actor critic proximal trust
region safe safety constraints constrained distributed parallel federated privacy differential
uncertainty bayesian inference variational probabilistic causal causality counterfactual
contrastive self supervised unsupervised semi weak strong student teacher distillation knowledge
transfer domain adaptation shift meta few shot zero continual lifelong curriculum hierarchical
temporal sequence sequences recurrent memory retrieval augmented search tree monte carlo game
games cooperative competitive adversarial emergent communication decentralized centralized
mixture experts sparse dense routing scaling laws compute inference latency throughput
hardware accelerator quantization pruning compression low rank adapters parameter prompt
prompting chain thought instruction instructions following dialogue conversational vision visual
image images video videos audio speech text multimodal embodied simulation simulator real world
sim transfer dynamics modeling world trajectory trajectories imitation demonstrations inverse
energy flow matching score denoising sampling samplers importance replay buffer experience
prioritized target critic ensemble ensembles regularization entropy kl divergence penalty
clipping objective surrogate advantage estimation baseline baselines variance bias unbiased
policies stability stable instability collapse mode hacking overoptimization specification
verifiable verification verifier verifiers mathematical math code coding program programs
synthesis software engineering repository issues tools tool use function calling web browsing
autonomous driving vehicles traffic scheduling allocation resource wireless networks edge
cloud systems system serving cluster energy power grid finance trading portfolio healthcare
medical clinical drug molecular protein design discovery chemistry materials physics climate
weather forecasting spatio temporal point cloud detection segmentation tracking recognition
classification regression ranking recommendation recommender users user interaction interactive
personalized personalization fairness bias interpretability explainability explanation
attribution probing circuits mechanistic features sparse autoencoders activation steering
jailbreak red teaming attacks defense defenses backdoor poisoning watermark watermarking
detection hallucination factuality truthfulness calibration confidence uncertainty estimation
long context horizon short term memory agents planning decision making markov processes partially
observable pomdp bandits regret minimax equilibrium nash mean field population evolutionary
genetic algorithms search neural architecture automated hyperparameter tuning benchmarking
open source dataset datasets corpus annotation labels labeling noisy synthetic augmentation
curriculum difficulty adaptive dynamic static sparse rewards shaping intrinsic motivation
curiosity novelty skill discovery options hierarchical abstraction state action space spaces
continuous discrete high dimensional latent embedding embeddings manifold geometry geometric
invariant equivariant symmetry physics informed operator operators kernel kernels gaussian
process processes linear nonlinear convex non smooth first order second order newton quasi
natural momentum adam optimizer optimizers learning rate schedule warmup batch size large
scale small efficient lightweight fast faster accelerated acceleration provable provably
guarantees analysis empirical study survey review perspective position understanding towards
rethinking revisiting improving enhancing boosting unified framework approach novel simple
effective general generalist foundation pretraining pretrained post reasoning reflective
self improvement critique refinement iterative feedback loop verification guided search
"""

ADJ = [
    "efficient",
    "robust",
    "scalable",
    "adaptive",
    "hierarchical",
    "sparse",
    "dense",
    "unified",
    "simple",
    "provable",
    "stable",
    "generalizable",
    "interpretable",
    "lightweight",
    "decentralized",
    "distributed",
    "federated",
    "multimodal",
    "offline",
    "online",
    "safe",
    "causal",
    "contrastive",
    "latent",
    "implicit",
    "explicit",
    "continual",
    "structured",
]

STOP = [
    "for",
    "with",
    "of",
    "the",
    "in",
    "on",
    "and",
    "via",
    "to",
    "from",
    "under",
    "using",
    "towards",
    "beyond",
    "without",
]
NAMES = [
    "Wei",
    "Li",
    "Zhang",
    "Wang",
    "Chen",
    "Liu",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Lee",
    "Kim",
    "Park",
    "Choi",
    "Nguyen",
    "Singh",
    "Kumar",
    "Sharma",
    "Patel",
    "Gupta",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Rossi",
    "Russo",
    "Bianchi",
    "Dubois",
    "Bernard",
    "Moreau",
    "Silva",
    "Santos",
    "Costa",
    "Ivanov",
    "Petrov",
    "Novak",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Cohen",
    "Levi",
    "Ali",
    "Khan",
    "Ahmed",
    "Hassan",
]
FIRST = [
    "John",
    "Mary",
    "Alex",
    "Sam",
    "Yuki",
    "Wei",
    "Ana",
    "Luis",
    "Maria",
    "David",
    "Sarah",
    "Ahmed",
    "Priya",
    "Chen",
    "Jun",
    "Hao",
    "Lei",
    "Min",
    "Olga",
    "Ivan",
    "Elena",
    "Paolo",
    "Marco",
    "Sofia",
    "Lucas",
    "Emma",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Omar",
    "Lina",
    "Ravi",
    "Anil",
    "Mei",
    "Kenji",
    "Hana",
    "Tom",
    "Eva",
]
VENUES = (
    "arXiv",
    "NeurIPS",
    "ICML",
    "ICLR",
    "AAAI",
    "IJCAI",
    "CoRL",
    "ICRA",
    "IROS",
    "ACL",
    "EMNLP",
    "NAACL",
    "CVPR",
    "ICCV",
    "ECCV",
    "TMLR",
    "JMLR",
    "Nature",
    "Science",
    None,
)
ROLE_MIX = (
    ("background", 52),
    ("method", 20),
    ("comparison", 12),
    ("extension", 8),
    ("critique", 3),
    ("unknown", 5),
)
POLARITY_MIX = (("neutral", 62), ("supportive", 25), ("critical", 6), ("unknown", 2), (None, 5))
VERBS = (
    "improves",
    "shows",
    "introduces",
    "proposes",
    "studies",
    "enables",
    "reduces",
    "outperforms",
    "extends",
    "analyses",
    "presents",
    "achieves",
    "combines",
    "derives",
)
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "na",
    "se",
    "lu",
    "vi",
    "do",
    "pe",
    "ra",
    "ni",
    "ko",
    "ta",
    "mi",
    "sa",
    "be",
    "ze",
    "lo",
    "fu",
    "ga",
    "hi",
    "ju",
    "ke",
    "ma",
    "no",
    "pu",
    "ro",
    "su",
    "te",
    "ve",
    "wa",
    "xi",
    "yo",
    "zu",
    "bra",
    "cri",
    "dro",
    "fle",
    "gla",
    "pri",
    "str",
    "tri",
    "vo",
    "qua",
    "tion",
    "ment",
    "ics",
    "ity",
    "ing",
    "er",
    "al",
    "on",
    "an",
    "en",
    "or",
    "ar",
    "is",
]


def _core_words() -> list[str]:
    return list(dict.fromkeys(CORE.split()))


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    out: dict[str, None] = {}
    while len(out) < n:
        k = rng.choice((2, 2, 3, 3, 3, 4))
        out["".join(rng.choice(SYLLABLES) for _ in range(k))] = None
    return list(out)


def _acronyms(rng: random.Random, n: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out: dict[str, None] = {}
    while len(out) < n:
        style = rng.random()
        if style < 0.5:
            w = "".join(rng.choice(letters) for _ in range(rng.randint(3, 5)))
        elif style < 0.8:
            w = rng.choice(letters) + "".join(rng.choice(SYLLABLES) for _ in range(2))
            w = w[0] + w[1:].capitalize() if rng.random() < 0.5 else w.capitalize()
        else:
            w = (
                "".join(rng.choice(letters) for _ in range(2))
                + "-"
                + rng.choice(
                    ["GRPO", "PPO", "RL", "LM", "Net", "Bench", "Gym", "Agent", "DPO", "VLA"]
                )
            )
        out[w] = None
    return list(out)


def _cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (r + 2.7) ** s for r in range(n)))


class Vocabulary:
    """Words with Zipf weights: real words are frequent, made-up words form the long tail."""

    def __init__(self, seed: int, tail: int = 60_000, acronyms: int = 40_000):
        rng = random.Random(seed * 7919 + 1)
        core = _core_words()
        pseudo = _pseudo_words(rng, tail)
        self.words = core + [w for w in pseudo if w not in set(core)]
        self.cum = _cum(len(self.words), 1.2)
        self.acronyms = _acronyms(rng, acronyms)
        self.acr_cum = _cum(len(self.acronyms), 0.6)


class Corpus:
    """Generates records; ``records()`` is deterministic for (n, seed)."""

    def __init__(self, n: int, seed: int = 1):
        self.n = n
        self.seed = seed
        self.vocab = Vocabulary(seed)
        # Hub sizes: at 1M, two hubs of 150k and 100k, one of 50k, the rest Zipf-spread.
        n_hubs = max(3, min(300, n // 3000))
        big = [0.15, 0.10, 0.05]
        rest = _cum(n_hubs - 3, 1.1)
        total_rest = rest[-1] if rest else 1.0
        shares = big + [
            0.70 * (rest[i] - (rest[i - 1] if i else 0)) / total_rest for i in range(len(rest))
        ]
        self.hub_cum = list(itertools.accumulate(shares))
        self.n_hubs = n_hubs

    # -- pieces -----------------------------------------------------------

    def _phrase(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.vocab.words, cum_weights=self.vocab.cum, k=k)

    def _name(self, rng: random.Random) -> str:
        return rng.choices(self.vocab.acronyms, cum_weights=self.vocab.acr_cum)[0]

    def title(self, rng: random.Random) -> str:
        """A title of 40-130 characters."""
        style = rng.random()
        a = [w.capitalize() for w in self._phrase(rng, rng.randint(2, 5))]
        b = [w.capitalize() for w in self._phrase(rng, rng.randint(2, 5))]
        if style < 0.3:
            words = [self._name(rng) + ":"] + a + [rng.choice(STOP[:5])] + b
        elif style < 0.5:
            words = a + [rng.choice(STOP)] + b
        elif style < 0.6:
            words = ["Towards"] + [rng.choice(ADJ).capitalize()] + a + ["for"] + b
        elif style < 0.7:
            words = ["On", "the"] + a + ["of"] + b
        else:
            words = [rng.choice(ADJ).capitalize()] + a + [rng.choice(STOP)] + b
            if rng.random() < 0.5:
                words += ["in"] + [w.capitalize() for w in self._phrase(rng, 2)]
        return " ".join(words)

    def summary(self, rng: random.Random, title: str) -> str:
        """A one-sentence summary of 100-200 characters."""
        subject = title.split(":")[0] if ":" in title else "This work"
        parts = [subject, rng.choice(VERBS)] + self._phrase(rng, rng.randint(5, 9))
        parts += [rng.choice(STOP)] + self._phrase(rng, rng.randint(4, 7))
        if rng.random() < 0.6:
            num = rng.choice(
                (f"{rng.randint(2, 60)}%", f"{rng.randint(11, 50) / 10}x", f"{rng.randint(1, 70)}B")
            )
            parts += [rng.choice(("by", "with", "up to")), num, "on"] + self._phrase(rng, 2)
        if rng.random() < 0.4:
            parts += ["and", self._name(rng)]
        return " ".join(parts) + "."

    def _authors(self, rng: random.Random) -> list[str]:
        return [f"{rng.choice(FIRST)} {rng.choice(NAMES)}" for _ in range(rng.randint(1, 6))]

    # -- records ----------------------------------------------------------

    def header(self) -> dict:
        """The first line of the file."""
        return {
            "format": "citetui-records",
            "version": 1,
            "source": {"name": "bench-corpus", "description": f"n={self.n} seed={self.seed}"},
        }

    def hubs(self) -> Iterator[dict]:
        """The hub papers."""
        rng = random.Random(self.seed * 31 + 2)
        for h in range(self.n_hubs):
            title = self.title(rng)
            yield {
                "key": f"h{h}",
                "title": title,
                "year": rng.randint(2012, 2022),
                "venue": rng.choice(VENUES),
                "summary": self.summary(rng, title),
                "citation_count": rng.randint(2000, 60000),
                "ids": {"corpus_id": 900_000_000 + h},
                "authors": self._authors(rng),
                "hub": {
                    "tier": "mega hub" if h < 3 else "hub",
                    "verdict": rng.choice(("Mixed citations", "Mostly supportive")),
                },
            }

    def papers(self) -> Iterator[dict]:
        """The citing papers, each citing one hub (sometimes two)."""
        rng = random.Random(self.seed)
        roles = [r for r, _ in ROLE_MIX]
        role_w = [w for _, w in ROLE_MIX]
        pols = [p for p, _ in POLARITY_MIX]
        pol_w = [w for _, w in POLARITY_MIX]
        hub_keys = [f"h{h}" for h in range(self.n_hubs)]
        for i in range(self.n):
            title = self.title(rng)
            ids: dict = {"corpus_id": 100_000_000 + i}
            if rng.random() < 0.6:
                ids["doi"] = f"10.{rng.randint(1000, 9999)}/bench.{i}"
            if rng.random() < 0.5:
                ids["arxiv"] = f"{rng.randint(15, 25):02d}{rng.randint(1, 12):02d}.{i % 100000:05d}"
            cites = []
            hubs = {rng.choices(hub_keys, cum_weights=self.hub_cum)[0]}
            if rng.random() < 0.2:
                hubs.add(rng.choices(hub_keys, cum_weights=self.hub_cum)[0])
            for hk in sorted(hubs):
                c: dict = {"paper": hk}
                r = rng.choices(roles, weights=role_w)[0]
                c["roles"] = [r] if rng.random() < 0.85 else [r, rng.choice(roles[:4])]
                pol = rng.choices(pols, weights=pol_w)[0]
                if pol is not None:
                    c["polarity"] = pol
                c["influential"] = rng.random() < 0.1
                if rng.random() < 0.1:
                    text = " ".join(self._phrase(rng, rng.randint(10, 18)))
                    c["contexts"] = [{"text": f"We follow {text} [12].", "roles": [r]}]
                cites.append(c)
            yield {
                "key": f"p{i}",
                "title": title,
                "year": rng.randint(2017, 2026),
                "venue": rng.choice(VENUES),
                "summary": self.summary(rng, title),
                "citation_count": int(rng.paretovariate(1.2)) - 1,
                "ids": ids,
                "authors": self._authors(rng),
                "cites": cites,
            }

    def lines(self) -> Iterator[str]:
        """Every line of the records file."""
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        yield dump(self.header())
        for rec in itertools.chain(self.hubs(), self.papers()):
            yield dump(rec)


def write(path: Path, n: int, seed: int = 1) -> Path:
    """Write the records file for (n, seed) to ``path`` (skipped if already there)."""
    path = Path(path)
    done = path.with_name(path.name + ".done")
    if path.exists() and done.exists() and done.read_text() == f"{n} {seed}":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for line in Corpus(n, seed).lines():
            fh.write(line)
            fh.write("\n")
    tmp.replace(path)
    done.write_text(f"{n} {seed}")
    return path


if __name__ == "__main__":
    import sys

    write(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
