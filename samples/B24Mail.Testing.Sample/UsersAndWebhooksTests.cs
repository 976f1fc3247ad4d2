using System.Net;
using System.Text.Json;

namespace B24Mail.Testing.Sample;

/// <summary>The second class of collection "shared portal": a user and a webhook of its own, made through the helpers.</summary>
[Collection(SharedPortal.Name)]
public sealed class UsersAndWebhooksTests(PortalFixture fixture)
{
    [Fact]
    public async Task A_new_users_webhook_acts_as_that_user_until_it_is_deactivated()
    {
        var control = fixture.Portal.Control;
        var ann = await control.AddUserAsync("Ann", cancellationToken: TestContext.Current.CancellationToken);
        var hook = await control.AddWebhookAsync(ann.Id, ["mailservice", "user"], cancellationToken: TestContext.Current.CancellationToken);

        var me = await fixture.Portal.Client.GetStringAsync(hook.Url + "user.current", TestContext.Current.CancellationToken);
        Assert.Equal("Ann", JsonDocument.Parse(me).RootElement.GetProperty("result").GetProperty("NAME").GetString());

        await control.SetWebhookActiveAsync(hook.Id, active: false, cancellationToken: TestContext.Current.CancellationToken);
        using var refused = await fixture.Portal.Client.GetAsync(hook.Url + "user.current", TestContext.Current.CancellationToken);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }
}
