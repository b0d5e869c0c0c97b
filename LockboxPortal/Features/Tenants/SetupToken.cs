namespace LockboxPortal.Features.Tenants;

/// <summary>
/// The one-time first-start token that lets an operator create the first ProviderAdmin. A row, hashed, with its
/// expiry: it is replaced on every start while no ProviderAdmin exists and deleted when used.
/// </summary>
public sealed class SetupToken
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private SetupToken()
    {
        TokenHash = "";
    }

    public SetupToken(string tokenHash, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        TokenHash = tokenHash;
        CreatedAt = now;
        ExpiresAt = now + Lifetime;
    }

    public Guid Id { get; private set; }

    public string TokenHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }
}
