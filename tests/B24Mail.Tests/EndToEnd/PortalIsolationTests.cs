using System.Net;
using B24Mail.Rest.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// No call can see or change another portal's rows or files, whatever the credential: webhooks and
/// OAuth tokens of portal B try to read, update, delete, list and reuse the icons of portal A.
/// </summary>
public sealed class PortalIsolationTests
{
    private sealed record Credential(string Name, string Base, Func<object, object> Body, Func<string, string> Query);

    private static Credential Webhook(string name, string url) => new(name, url, body => body, query => query);

    private static Credential Token(string name, string rest, string token) =>
        new(name, rest, body => new Dictionary<string, object>(ToDictionary(body)) { ["auth"] = token }, query => query + (query.Contains('?') ? "&" : "?") + "auth=" + token);

    private static Dictionary<string, object> ToDictionary(object body) =>
        body.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(body)!);

    [Fact]
    public async Task Portal_b_cannot_touch_portal_a_with_any_credential()
    {
        await using var server = await LiveServer.StartAsync();
        var portalA = await server.PortalAsync();
        var portalB = await server.PortalAsync("team-b", "team-b.test");

        var idA = await server.AddServiceAsync(new { NAME = "A private", ICON = new[] { "a.png", Convert.ToBase64String(Images.Png()) } });
        var rowA = (await server.GetServiceAsync(idA)).GetRawText();
        var iconUrl = new Uri((await server.GetServiceAsync(idA)).GetProperty("ICON").GetString()!);
        var fileIdA = long.Parse(iconUrl.Segments[^3].TrimEnd('/'));

        var provisioning = server.Services.GetRequiredService<B24Mail.Server.Hosting.Provisioning>();
        var hookB = server.HttpsBase + (await provisioning.AddWebhookAsync(portalB, 1, ["mailservice", "user"], "b")).Path;
        var appB = await server.AddAppAsync(portalB, "mailservice");
        var tokenB = (await server.LoginAsync(appB, 1)).GetProperty("access_token").GetString()!;
        var nonAdminB = await server.Services.GetRequiredService<IIdentityStore>().AddUserAsync(portalB.Id, "B user", "", "", false);
        var readerHookB = server.HttpsBase + (await provisioning.AddWebhookAsync(portalB, nonAdminB.Id, ["mailservice"], "b reader")).Path;

        var credentials = new[]
        {
            Webhook("B admin webhook", hookB),
            Webhook("B user webhook", readerHookB),
            Token("B admin token", server.HttpsBase + "/rest/", tokenB),
        };
        foreach (var c in credentials)
        {
            var get = await server.PostJsonAsync(c.Base + "mailservice.get", c.Body(new { ID = idA }));
            MailServiceMethodTests.AssertCoreError(get, "Mail service not found");
            var getByQuery = await server.GetAsync(c.Query(c.Base + "mailservice.get?ID=" + idA));
            MailServiceMethodTests.AssertCoreError(getByQuery, "Mail service not found");

            var list = await server.GetAsync(c.Query(c.Base + "mailservice.list"));
            Assert.Equal(HttpStatusCode.OK, list.Status);
            Assert.DoesNotContain(list.Result.EnumerateArray(), r => r.GetProperty("ID").GetString() == idA.ToString());
            Assert.DoesNotContain(list.Result.EnumerateArray(), r => r.GetProperty("NAME").GetString() == "A private");
            Assert.Equal(8, list.Result.GetArrayLength());

            var update = await server.PostJsonAsync(c.Base + "mailservice.update", c.Body(new { ID = idA, NAME = "stolen" }));
            var delete = await server.PostJsonAsync(c.Base + "mailservice.delete", c.Body(new { ID = idA }));
            var reuse = await server.PostJsonAsync(c.Base + "mailservice.add", c.Body(new { NAME = "reuse", ICON = fileIdA }));
            if (c.Name.Contains("user"))
            {
                MailServiceMethodTests.AssertCoreError(update, "Access denied");
                MailServiceMethodTests.AssertCoreError(delete, "Access denied");
                MailServiceMethodTests.AssertCoreError(reuse, "Access denied");
            }
            else
            {
                MailServiceMethodTests.AssertCoreError(update, "Mail service not found");
                MailServiceMethodTests.AssertCoreError(delete, "Mail service not found");
                MailServiceMethodTests.AssertCoreError(reuse, "Invalid value for \"Logo\"");
                var ownB = (await server.GetAsync(c.Query(c.Base + "mailservice.list"))).Result[0].GetProperty("ID").GetString();
                MailServiceMethodTests.AssertCoreError(await server.PostJsonAsync(c.Base + "mailservice.update", c.Body(new { ID = ownB, ICON = fileIdA.ToString() })), "Invalid value for \"Logo\"");
            }
        }

        Assert.Equal(rowA, (await server.GetServiceAsync(idA)).GetRawText());
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(iconUrl)).StatusCode);
        // A file ID of portal A with any other key is not served.
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"{server.HttpsBase}/upload/mailservice/icon/{fileIdA}/{new string('0', 32)}/a.png")).StatusCode);

        // Portal A's own token still works on A and sees its row.
        var appA = await server.AddAppAsync(portalA, "mailservice");
        var tokenA = (await server.LoginAsync(appA, 1)).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync($"{server.HttpsBase}/rest/mailservice.get?ID={idA}&auth={tokenA}")).Status);
    }

    [Fact]
    public async Task Ids_of_another_portal_are_never_reused_and_each_portal_has_its_own_users()
    {
        await using var server = await LiveServer.StartAsync();
        var portalB = await server.PortalAsync("team-b", "team-b.test");
        var identity = server.Services.GetRequiredService<IIdentityStore>();
        var users = await identity.ListUsersAsync(portalB.Id);
        Assert.Equal([1L], users.Select(u => u.Id));
        Assert.Equal(2, (await identity.AddUserAsync(portalB.Id, "second", "", "", false)).Id);
        Assert.Equal(2, await server.AddUserAsync(admin: false));
        Assert.Matches("^[0-9a-f]{32}$", portalB.MemberId);
        Assert.NotEqual((await server.PortalAsync()).MemberId, portalB.MemberId);
    }

    [Fact]
    public async Task A_request_to_a_portals_domain_must_carry_that_portals_credential()
    {
        await using var server = await LiveServer.StartAsync();
        var portalB = await server.PortalAsync("team-b", "team-b.test");
        var provisioning = server.Services.GetRequiredService<B24Mail.Server.Hosting.Provisioning>();
        var hookB = server.HttpsBase + (await provisioning.AddWebhookAsync(portalB, 1, ["mailservice"], "b")).Path;
        var appA = await server.AddAppAsync(await server.PortalAsync(), "mailservice");
        var tokenA = (await server.LoginAsync(appA, 1)).GetProperty("access_token").GetString()!;

        async Task<RestResponse> AtDomainB(string url)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Host = "team-b.test";
            return await server.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await AtDomainB(hookB + "mailservice.list")).Status);
        var webhookA = await AtDomainB(server.Webhook + "mailservice.list");
        Assert.Equal(HttpStatusCode.Unauthorized, webhookA.Status);
        Assert.Equal("INVALID_CREDENTIALS", webhookA.Error);
        var tokenAtB = await AtDomainB(server.HttpsBase + "/rest/mailservice.list?auth=" + tokenA);
        Assert.Equal(HttpStatusCode.Unauthorized, tokenAtB.Status);
        Assert.Equal("invalid_token", tokenAtB.Error);
        // At an address that is no portal's domain, the credential alone decides.
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(server.Webhook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync(hookB + "mailservice.list")).Status);
    }
}
