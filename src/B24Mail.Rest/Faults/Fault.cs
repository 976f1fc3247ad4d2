using B24Mail.Rest.Errors;

namespace B24Mail.Rest.Faults;

/// <summary>What a fired rule does to one call: wait <see cref="Delay"/>, then drop the connection, answer <see cref="Error"/>, or run as usual.</summary>
public sealed record Fault(RestError? Error, TimeSpan Delay, bool Drop);
