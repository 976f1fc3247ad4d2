using System.Net.Http.Json;
using System.Text.Json;

namespace B24Mail.Testing.Sample;

/// <summary>
/// Two tests on one server, each starting from the baseline: a reset before each test (xunit calls InitializeAsync
/// before every test) throws away what the other one added, so they pass in either order.
/// </summary>
public sealed class ResetBetweenTestsTests(PortalFixture fixture) : IClassFixture<PortalFixture>, IAsyncLifetime
{
    // The first start's eight preset services.
    private const int Baseline = 8;

    public async ValueTask InitializeAsync() => await fixture.Portal.Control.ResetAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task First_test_sees_the_baseline_plus_its_own_service() => await AddAndCountAsync("First");

    [Fact]
    public async Task Second_test_sees_the_baseline_plus_its_own_service() => await AddAndCountAsync("Second");

    private async Task AddAndCountAsync(string name)
    {
        var portal = fixture.Portal;
        // A dictionary, not an anonymous object: PostAsJsonAsync camel-cases property names (NAME would go as "name").
        var fields = new Dictionary<string, object> { ["NAME"] = name, ["SERVER"] = "imap." + name.ToLowerInvariant() + ".example", ["PORT"] = 993, ["ENCRYPTION"] = "Y" };
        using var added = await portal.Client.PostAsJsonAsync(portal.WebhookUrl + "mailservice.add", fields, TestContext.Current.CancellationToken);
        added.EnsureSuccessStatusCode();
        var list = await portal.Client.GetFromJsonAsync<JsonElement>(portal.WebhookUrl + "mailservice.list", TestContext.Current.CancellationToken);
        Assert.Equal(Baseline + 1, list.GetProperty("result").GetArrayLength());
    }
}
