using System.Text.Json;
using System.Text.Json.Serialization;

namespace B24Mail.Testing;

/// <summary>
/// The control plane's JSON, source-generated: its names are camelCase (the token answer keeps the snake_case of
/// <c>/oauth/token/</c> by its own attributes), and absent optional keys are left out rather than sent as null.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FaultRule))]
[JsonSerializable(typeof(FaultRuleAdded))]
[JsonSerializable(typeof(ResetResult))]
[JsonSerializable(typeof(PortalUserInfo))]
[JsonSerializable(typeof(WebhookInfo))]
[JsonSerializable(typeof(AppCredentials))]
[JsonSerializable(typeof(TokenPair))]
[JsonSerializable(typeof(JournalPage))]
[JsonSerializable(typeof(ClockTime))]
[JsonSerializable(typeof(ControlRequests.NewUser))]
[JsonSerializable(typeof(ControlRequests.NewWebhook))]
[JsonSerializable(typeof(ControlRequests.NewApp))]
[JsonSerializable(typeof(ControlRequests.ActiveChange))]
[JsonSerializable(typeof(ControlRequests.AdminChange))]
[JsonSerializable(typeof(ControlRequests.UserRef))]
[JsonSerializable(typeof(ControlRequests.UserList))]
[JsonSerializable(typeof(ControlRequests.ClockChange))]
[JsonSerializable(typeof(ControlRequests.PortalChange))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ControlJson : JsonSerializerContext;
