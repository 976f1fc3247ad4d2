using B24Mail.Rest.Limits;
using B24Mail.Server.Hosting;
using B24Mail.Storage.State;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// Replacing the state and resetting it, with what the stored state alone does not cover: the limit state
/// (rate buckets, operating baskets) of what was replaced, the features that keep state of their own
/// (<see cref="IResetWithState"/>: the request journal, fault rules) on a whole reset, and <c>webhook.txt</c>.
/// The API and the commands both go through here.
/// </summary>
public sealed class StateControl(StateStore state, RestLimits limits, IEnumerable<IResetWithState> resets, Provisioning provisioning)
{
    /// <summary>Replaces the whole state with the document, which becomes the baseline; returns the bootstrap webhook path it now has, if any.</summary>
    public async Task<string?> ReplaceAsync(StateDocument document, CancellationToken cancellationToken)
    {
        await state.ReplaceAsync(document);
        await limits.ForgetAsync(null, cancellationToken);
        return await provisioning.UpdateWebhookFileAsync(document.BootstrapPath);
    }

    /// <summary>
    /// Every portal back to the baseline (<paramref name="code"/> null), and the journal, fault rules and limits
    /// cleared; or one portal, with its own rows and limits only. Null when the portal does not exist.
    /// </summary>
    public async Task<ResetOutcome?> ResetAsync(string? code, CancellationToken cancellationToken)
    {
        var outcome = await state.ResetAsync(code);
        // A portal added after the baseline has nothing to return to: nothing was done.
        if (outcome is null || (code is not null && outcome.Reset.Count == 0)) return outcome;
        await limits.ForgetAsync(outcome.LimitPrefixes, cancellationToken);
        if (code is null)
        {
            foreach (var reset in resets) await reset.ResetAsync(cancellationToken);
        }
        return outcome;
    }
}
