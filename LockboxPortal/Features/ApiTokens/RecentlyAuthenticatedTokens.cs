using System.Collections.Concurrent;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>
/// The hashes of tokens that authenticated on this node in the last few minutes, so the rate limiter can tell, before
/// any look-up, a caller already known to hold a real token from one that may be guessing. Guessers (no token, a
/// malformed one, or one never seen to work) share one budget per address, however many different tokens they
/// send; a known token is limited by its own budget only, so a flood from the same address does not starve it.
/// </summary>
public sealed class RecentlyAuthenticatedTokens(TimeProvider time)
{
    public static readonly TimeSpan Remembered = TimeSpan.FromMinutes(10);

    /// <summary>Bounds memory under a flood of real tokens; past it, the oldest are forgotten (they pay the address budget again).</summary>
    private const int Capacity = 50_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public void Remember(string tokenHash)
    {
        _seen[tokenHash] = time.GetUtcNow();
        if (_seen.Count > Capacity)
        {
            foreach (var (hash, _) in _seen.OrderBy(e => e.Value).Take(_seen.Count - Capacity))
            {
                _seen.TryRemove(hash, out _);
            }
        }
    }

    public void Forget(string tokenHash) => _seen.TryRemove(tokenHash, out _);

    public bool IsKnown(string tokenHash) =>
        _seen.TryGetValue(tokenHash, out var at) && time.GetUtcNow() - at < Remembered;
}
