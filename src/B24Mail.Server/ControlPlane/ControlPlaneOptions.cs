namespace B24Mail.Server.ControlPlane;

/// <summary>The control plane's settings (<c>/_b24mail/</c>): whether it exists, who may call it, and the emulator's knobs.</summary>
public sealed class ControlPlaneOptions
{
    /// <summary>Off: nothing under <c>/_b24mail/</c> is mapped, so every path there answers 404.</summary>
    public bool ControlPlane { get; set; } = true;

    /// <summary>Lets clients other than loopback in with <c>Authorization: Bearer KEY</c>; unset, only loopback may call.</summary>
    public string? AdminKey { get; set; }

    /// <summary>How many calls the request journal keeps in memory; 0 turns it off.</summary>
    public int JournalSize { get; set; } = 1000;

    /// <summary><c>system</c>, or <c>manual</c>: the server's time stands still until <c>/_b24mail/clock</c> sets or advances it.</summary>
    public string Clock { get; set; } = "system";

    /// <summary>Seeds the random draws of fault rules with a probability, so a run can be repeated; unset, they are not repeatable.</summary>
    public int? FaultSeed { get; set; }

    /// <summary>A state document applied on first start instead of the built-in defaults.</summary>
    public string? Seed { get; set; }

    public bool ManualClock => Clock == "manual";
}
