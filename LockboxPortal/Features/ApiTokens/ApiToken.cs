namespace LockboxPortal.Features.ApiTokens;

public enum ApiTokenKind
{
    /// <summary>A person's own token; it acts with its owner's roles, read from storage on every call.</summary>
    Personal,
    /// <summary>A provider service (the data plane); it may only call the access check.</summary>
    ServiceClient,
}

/// <summary>
/// A bearer token for the API. Only the SHA-256 of the secret is stored, so a copy of the database authenticates
/// nothing; the secret is shown once, when the token is created.
/// </summary>
public sealed class ApiToken
{
    public const int NameMaxLength = 100;
    public const int MaxLifetimeDays = 90;
    public const string PersonalPrefix = "lbxp_";
    public const string ClientPrefix = "lbxc_";

    private ApiToken()
    {
        Name = "";
        TokenHash = "";
        CreatedByName = "";
    }

    public ApiToken(Guid id, ApiTokenKind kind, string name, string tokenHash, string? ownerId, DateTimeOffset createdAt, DateTimeOffset? expiresAt, string createdById, string createdByName)
    {
        Id = id;
        Kind = kind;
        Name = name;
        TokenHash = tokenHash;
        OwnerId = ownerId;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        CreatedById = createdById;
        CreatedByName = createdByName;
    }

    public Guid Id { get; private set; }

    public ApiTokenKind Kind { get; private set; }

    public string Name { get; private set; }

    public string TokenHash { get; private set; }

    /// <summary>The person the token acts as; null for a service client.</summary>
    public string? OwnerId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Null for service clients, which live until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    public string CreatedById { get; private set; } = "";

    public string CreatedByName { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);

    public void Revoke(DateTimeOffset now)
    {
        if (RevokedAt is not null)
        {
            throw new InvalidInputException(new Dictionary<string, string[]> { ["Token"] = ["This token is already revoked."] });
        }

        RevokedAt = now;
    }
}
