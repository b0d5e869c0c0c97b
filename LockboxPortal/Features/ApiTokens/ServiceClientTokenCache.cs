using System.Collections.Concurrent;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>A token stopped working (revoked); every node forgets what it remembered of it.</summary>
public sealed record TokenRevoked(Guid TokenId, DateTimeOffset At);

/// <summary>Token revocations, on the event transport, so every node hears them (Redis between nodes).</summary>
public sealed class TokenNotifier(IEventTransport transport) : Notifier<TokenRevoked>(transport);

/// <summary>
/// Service-client tokens that authenticated recently, by hash, so the access check (the data plane's hot path) is
/// authenticated without a database read. A revocation removes the token on every node: on the node that revoked it
/// before the call returns, on the others when they hear <see cref="TokenRevoked"/> (within a second); a node that may
/// have missed events forgets them all. An entry is also re-read after <see cref="ReadAgainAfter"/>, and never used
/// past the token's expiry. Personal tokens are not kept: their owner's roles are read on every call.
/// </summary>
public sealed class ServiceClientTokenCache : IDisposable
{
    /// <summary>How long a remembered token is used before storage is asked again (it also records the token's last use then).</summary>
    public static readonly TimeSpan ReadAgainAfter = TimeSpan.FromMinutes(1);

    /// <summary>Bounds memory when many tokens call; past it the cache starts again (they are read from storage once more).</summary>
    private const int Capacity = 10_000;

    public sealed record Entry(Guid TokenId, string Name, DateTimeOffset? ExpiresAt, DateTimeOffset ReadAt);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    /// <summary>
    /// Tokens revoked lately: a call that read one from storage just before the revocation committed must not put it
    /// back after the revocation removed it.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _revoked = new();
    private readonly TimeProvider _time;
    private readonly IDisposable _revocations;
    private readonly IDisposable _missed;

    public ServiceClientTokenCache(TokenNotifier notifier, TimeProvider time)
    {
        _time = time;
        _revocations = notifier.Subscribe(revoked =>
        {
            Forget(revoked.TokenId);
            return Task.CompletedTask;
        });
        _missed = notifier.OnMissedEvents(() =>
        {
            _byHash.Clear();
            return Task.CompletedTask;
        });
    }

    /// <summary>The remembered token, while it is fresh and not expired; null means: read it from storage.</summary>
    public Entry? Find(string tokenHash)
    {
        if (!_byHash.TryGetValue(tokenHash, out var entry))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (now - entry.ReadAt >= ReadAgainAfter || entry.ExpiresAt is { } expires && now >= expires)
        {
            _byHash.TryRemove(tokenHash, out _);
            return null;
        }

        return entry;
    }

    public void Remember(string tokenHash, Guid tokenId, string name, DateTimeOffset? expiresAt)
    {
        if (_byHash.Count >= Capacity)
        {
            _byHash.Clear();
        }

        _byHash[tokenHash] = new Entry(tokenId, name, expiresAt, _time.GetUtcNow());
        if (_revoked.ContainsKey(tokenId))
        {
            _byHash.TryRemove(tokenHash, out _);
        }
    }

    public void Forget(Guid tokenId)
    {
        var now = _time.GetUtcNow();
        _revoked[tokenId] = now;
        foreach (var (id, at) in _revoked)
        {
            if (now - at > ReadAgainAfter + ReadAgainAfter)
            {
                _revoked.TryRemove(id, out _);
            }
        }

        foreach (var (hash, entry) in _byHash)
        {
            if (entry.TokenId == tokenId)
            {
                _byHash.TryRemove(hash, out _);
            }
        }
    }

    public void Dispose()
    {
        _revocations.Dispose();
        _missed.Dispose();
    }
}
