using System.Net;
using System.Text.Json;
using B24Mail.Testing;

namespace B24Mail.Testing.Sample;

/// <summary>Two classes in one collection share one server (a collection fixture); this one makes the portal fail once on demand.</summary>
[Collection(SharedPortal.Name)]
public sealed class ForcedFaultTests(PortalFixture fixture)
{
    [Fact]
    public async Task A_forced_QUERY_LIMIT_EXCEEDED_hits_the_next_call_only()
    {
        var portal = fixture.Portal;
        await portal.Control.AddFaultAsync(new FaultRule(Method: "mailservice.list", Error: "QUERY_LIMIT_EXCEEDED", Times: 1), TestContext.Current.CancellationToken);

        using var failed = await portal.Client.GetAsync(portal.WebhookUrl + "mailservice.list", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var error = JsonDocument.Parse(await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error").GetString();
        Assert.Equal("QUERY_LIMIT_EXCEEDED", error);

        using var next = await portal.Client.GetAsync(portal.WebhookUrl + "mailservice.list", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }
}
