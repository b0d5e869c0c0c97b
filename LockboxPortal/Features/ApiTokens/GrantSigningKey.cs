namespace LockboxPortal.Features.ApiTokens;

/// <summary>
/// A P-256 key that signs grant tokens. The private key is stored encrypted with ASP.NET Core Data Protection, so
/// it survives restarts and is shared by every instance that shares the key ring; the public half is published in
/// the JWKS until every token it signed has expired.
/// </summary>
public sealed class GrantSigningKey
{
    private GrantSigningKey()
    {
        Id = "";
        PublicX = "";
        PublicY = "";
        ProtectedPrivateKey = "";
    }

    public GrantSigningKey(string id, DateTimeOffset createdAt, string publicX, string publicY, string protectedPrivateKey)
    {
        Id = id;
        CreatedAt = createdAt;
        PublicX = publicX;
        PublicY = publicY;
        ProtectedPrivateKey = protectedPrivateKey;
    }

    /// <summary>The key id (<c>kid</c>) in tokens and in the JWKS.</summary>
    public string Id { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When a newer key took over signing; null while this key signs.</summary>
    public DateTimeOffset? RetiredAt { get; private set; }

    public string PublicX { get; private set; }

    public string PublicY { get; private set; }

    public string ProtectedPrivateKey { get; private set; }

    public void Retire(DateTimeOffset now) => RetiredAt ??= now;
}
