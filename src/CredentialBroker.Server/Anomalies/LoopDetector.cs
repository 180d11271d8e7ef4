using System.Globalization;

namespace CredentialBroker.Server.Anomalies;

/// <summary>
/// A runaway loop: the same prompt fingerprint (a SHA-256 prefix, never the prompt) more than
/// <see cref="AnomalyOptions.LoopRepeats"/> times within <see cref="AnomalyOptions.LoopWindow"/>.
/// Score = repeats / the allowed number.
/// </summary>
internal static class LoopDetector
{
    public static AnomalyFinding? Detect(CredentialActivity activity, AnomalyOptions options)
    {
        var worst = activity.RepeatedPrompts.Where(p => p.Value > options.LoopRepeats).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).FirstOrDefault();
        if (worst.Key is null)
        {
            return null;
        }

        return new AnomalyFinding(activity.CredentialId, AnomalyKind.Loop, Math.Round((double)worst.Value / options.LoopRepeats, 3), new Dictionary<string, string>
        {
            ["prompt_fingerprint"] = worst.Key,
            ["repeats"] = worst.Value.ToString(CultureInfo.InvariantCulture),
            ["threshold"] = options.LoopRepeats.ToString(CultureInfo.InvariantCulture),
            ["window"] = options.LoopWindow.ToString("c", CultureInfo.InvariantCulture),
        }, $"The same prompt (fingerprint {worst.Key}) was sent {worst.Value} times within {options.LoopWindow:c} (limit {options.LoopRepeats}).");
    }
}
