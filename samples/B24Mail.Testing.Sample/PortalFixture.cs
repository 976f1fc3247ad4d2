using B24Mail.Testing;

namespace B24Mail.Testing.Sample;

/// <summary>One real b24mail server for the tests that share this fixture: started before the first, stopped after the last.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public B24MailServer Portal { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Portal = await B24MailServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}
