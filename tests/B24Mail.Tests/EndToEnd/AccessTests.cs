using System.Net;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Who may call what (docs/decisions.md #2, #3, #17): admin right, scope, credentials.</summary>
public sealed class AccessTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    [Fact]
    public async Task A_non_admin_may_read_but_not_write()
    {
        var userId = await Server.AddUserAsync(admin: false);
        var hook = await Server.AddWebhookAsync(userId, "mailservice");
        var id = await Server.AddServiceAsync(new { NAME = "Admin made" });

        Assert.Equal(HttpStatusCode.OK, (await Server.GetAsync(hook + "mailservice.get?ID=" + id)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Server.GetAsync(hook + "mailservice.list")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Server.GetAsync(hook + "mailservice.fields")).Status);

        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.add", new { NAME = "x" }), "Access denied");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.update", new { ID = id, NAME = "hacked" }), "Access denied");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.delete", new { ID = id }), "Access denied");
        Assert.Equal("Admin made", (await Server.GetServiceAsync(id)).GetProperty("NAME").GetString());
    }

    [Fact]
    public async Task The_admin_check_comes_before_id_and_field_checks()
    {
        var userId = await Server.AddUserAsync(admin: false);
        var hook = await Server.AddWebhookAsync(userId, "mailservice");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.update", "{}"), "Access denied");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.delete", "{\"ID\":987654}"), "Access denied");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(hook + "mailservice.add", "{\"PORT\":0}"), "Access denied");
    }

    [Fact]
    public async Task An_admin_of_another_user_id_with_admin_rights_may_write()
    {
        var adminId = await Server.AddUserAsync(admin: true);
        var hook = await Server.AddWebhookAsync(adminId, "mailservice");
        Assert.Equal(HttpStatusCode.OK, (await Server.PostJsonAsync(hook + "mailservice.add", new { NAME = "second admin" })).Status);
    }

    [Theory]
    [InlineData("mailservice.list")]
    [InlineData("mailservice.get?ID=1")]
    [InlineData("mailservice.fields")]
    [InlineData("mailservice.add?NAME=x")]
    [InlineData("mailservice.update?ID=1")]
    [InlineData("mailservice.delete?ID=1")]
    public async Task A_webhook_without_the_scope_gets_insufficient_scope(string call)
    {
        var hook = await Server.AddWebhookAsync(1, "user");
        var response = await Server.GetAsync(hook + call);
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("insufficient_scope", response.Error);
        Assert.Equal("The request requires higher privileges than provided by the webhook token", response.ErrorDescription);
        Assert.Equal("Y", (await Server.GetServiceAsync(1)).GetProperty("ACTIVE").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_credentials()
    {
        var response = await Server.GetAsync(Server.HttpsBase + "/rest/1/aaaaaaaaaaaaaaaa/mailservice.list");
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("INVALID_CREDENTIALS", response.Error);
        Assert.Equal("Invalid request credentials", response.ErrorDescription);
    }

    [Fact]
    public async Task A_right_secret_with_another_user_id_is_invalid_credentials()
    {
        var secretPath = new Uri(Server.Webhook).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var user in new[] { "2", "abc", "01x", "999999999999999999999" })
        {
            var response = await Server.GetAsync($"{Server.HttpsBase}/rest/{user}/{secretPath[2]}/mailservice.list");
            Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
            Assert.Equal("INVALID_CREDENTIALS", response.Error);
        }
    }

    [Theory]
    [InlineData("/rest/mailservice.list")]
    [InlineData("/rest/mailservice.list?auth=")]
    [InlineData("/rest/mailservice.get.json?ID=1")]
    public async Task No_credential_is_no_auth_found(string path)
    {
        var response = await Server.GetAsync(Server.HttpsBase + path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("NO_AUTH_FOUND", response.Error);
        Assert.Equal("Wrong authorization data", response.ErrorDescription);
        Assert.False(response.Json.TryGetProperty("time", out _));
    }

    [Fact]
    public async Task An_unknown_method_is_404_before_any_credential_is_checked()
    {
        foreach (var url in new[] { Server.Webhook + "mailservice.nothing", Server.HttpsBase + "/rest/1/wrong/no.such.method", Server.HttpsBase + "/rest/no.such.method", Server.HttpBase + "/rest/1/x/no.such" })
        {
            var response = await Server.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.Status);
            Assert.Equal("ERROR_METHOD_NOT_FOUND", response.Error);
            Assert.Equal("Method not found!", response.ErrorDescription);
        }
    }

    [Fact]
    public async Task A_webhook_over_plain_http_is_refused_before_its_secret_is_checked()
    {
        var path = new Uri(Server.Webhook).AbsolutePath;
        foreach (var url in new[] { Server.HttpBase + path + "mailservice.list", Server.HttpBase + "/rest/1/wrongwrongwrong1/mailservice.list" })
        {
            var response = await Server.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("INVALID_REQUEST", response.Error);
            Assert.Equal("Https required", response.ErrorDescription);
        }
    }
}

/// <summary>The operator's switch that lets webhooks work over plain HTTP, for local use.</summary>
public sealed class AllowHttpTests
{
    [Fact]
    public async Task With_allow_http_a_webhook_works_over_http()
    {
        await using var server = await LiveServer.StartAsync("--allow-http", "true");
        var path = new Uri(server.Webhook).AbsolutePath;
        var response = await server.GetAsync(server.HttpBase + path + "mailservice.list");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(8, response.Result.GetArrayLength());
    }
}
