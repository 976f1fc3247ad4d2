namespace B24Mail.Tests.ControlPlane;

/// <summary>Runs <see cref="MetricsTests"/> with no other test class at the same time: the meter is one per process.</summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsTestsAlone;
