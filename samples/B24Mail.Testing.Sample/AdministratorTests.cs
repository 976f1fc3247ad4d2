using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace B24Mail.Testing.Sample;

/// <summary>Arranging data as the portal's administrator without a webhook, and a user who is given the right.</summary>
public sealed class AdministratorTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task A_service_added_as_the_administrator_is_seen_through_the_webhook_and_refusals_come_back_as_answers()
    {
        var portal = fixture.Portal;
        var added = await portal.Control.CallAsync("mailservice.add", new JsonObject { ["NAME"] = "Arranged", ["SERVER"] = "imap.arranged.example" },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, added.Status);
        var id = added.Result.GetInt64();

        var got = await portal.Client.GetFromJsonAsync<JsonElement>(portal.WebhookUrl + "mailservice.get?ID=" + id, TestContext.Current.CancellationToken);
        Assert.Equal("imap.arranged.example", got.GetProperty("result").GetProperty("SERVER").GetString());

        var refused = await portal.Control.CallAsync("mailservice.add", new JsonObject { ["SERVER"] = "no-name.example" },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("ERROR_CORE", refused.Error);
        await Assert.ThrowsAsync<B24MailControlException>(() => portal.Control.CallAsync("mailservice.list", portal: "no-such-portal",
            cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_user_made_administrator_may_add_services_until_the_right_is_taken_away()
    {
        var portal = fixture.Portal;
        var control = portal.Control;
        var bob = await control.AddUserAsync("Bob", cancellationToken: TestContext.Current.CancellationToken);
        var hook = await control.AddWebhookAsync(bob.Id, ["mailservice"], cancellationToken: TestContext.Current.CancellationToken);
        var service = new Dictionary<string, object> { ["NAME"] = "Bob's" };

        using (var denied = await portal.Client.PostAsJsonAsync(hook.Url + "mailservice.add", service, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, denied.StatusCode);
        }
        Assert.True((await control.SetUserAdminAsync(bob.Id, admin: true, cancellationToken: TestContext.Current.CancellationToken)).Admin);
        using (var allowed = await portal.Client.PostAsJsonAsync(hook.Url + "mailservice.add", service, TestContext.Current.CancellationToken))
        {
            allowed.EnsureSuccessStatusCode();
        }
        Assert.False((await control.SetUserAdminAsync(bob.Id, admin: false, cancellationToken: TestContext.Current.CancellationToken)).Admin);
        using var deniedAgain = await portal.Client.PostAsJsonAsync(hook.Url + "mailservice.add", service, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, deniedAgain.StatusCode);
    }
}
