"""Statistical methods of the analysis step: pure, vectorised functions with cited references.

intervals (Wilson, Byar/exact Poisson, t), compare (area against the city), inequality (spread,
Gini, Theil with decomposition, dissimilarity, SII/RII), trends (recent trend, convergence),
projection (if nothing changes), composite (index and weight sensitivity).
"""
