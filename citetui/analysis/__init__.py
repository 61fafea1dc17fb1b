"""The hub controls, UI-free: recognition alignment (:mod:`.alignment`), counterfactual
ablation (:mod:`.ablation`), timelines and hub comparison (:mod:`.timeline`).

All of it is computed from the library on demand; nothing here writes.
"""
