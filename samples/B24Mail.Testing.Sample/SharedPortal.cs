namespace B24Mail.Testing.Sample;

/// <summary>A collection fixture: every test class in collection "shared portal" uses one server, and they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPortal : ICollectionFixture<PortalFixture>
{
    public const string Name = "shared portal";
}
