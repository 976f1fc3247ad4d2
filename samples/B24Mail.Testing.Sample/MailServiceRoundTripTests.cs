using System.Net.Http.Json;
using System.Text.Json;

namespace B24Mail.Testing.Sample;

/// <summary>A class fixture: one server for this class; the tests talk to it over its webhook as any client would.</summary>
public sealed class MailServiceRoundTripTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Added_service_is_got_and_listed()
    {
        var portal = fixture.Portal;
        using var added = await portal.Client.PostAsJsonAsync(portal.WebhookUrl + "mailservice.add",
            new Dictionary<string, object> { ["NAME"] = "Corp IMAP", ["SERVER"] = "imap.corp.example", ["PORT"] = 993, ["ENCRYPTION"] = "Y" },
            TestContext.Current.CancellationToken);
        added.EnsureSuccessStatusCode();
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("result").GetInt64();

        var got = await portal.Client.GetFromJsonAsync<JsonElement>(portal.WebhookUrl + "mailservice.get?ID=" + id, TestContext.Current.CancellationToken);
        Assert.Equal("imap.corp.example", got.GetProperty("result").GetProperty("SERVER").GetString());

        var list = await portal.Client.GetFromJsonAsync<JsonElement>(portal.WebhookUrl + "mailservice.list", TestContext.Current.CancellationToken);
        Assert.Contains(list.GetProperty("result").EnumerateArray(), s => s.GetProperty("NAME").GetString() == "Corp IMAP");

        // The journal saw the call.
        var calls = await portal.Control.RequestsAsync(method: "mailservice.add", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(calls, c => c.Status == 200);
    }
}
