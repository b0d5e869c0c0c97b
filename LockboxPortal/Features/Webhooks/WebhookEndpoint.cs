using LockboxPortal.Features.AccessRequests;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Webhooks;

/// <summary>What a receiver expects: a Standard Webhooks JSON event, a Teams workflow's Adaptive Card, or Slack blocks.</summary>
public enum WebhookKind
{
    Standard,
    Teams,
    Slack,
}

/// <summary>
/// Where a tenant (its security officers) or the provider (its admins, <see cref="TenantId"/> null) has events sent.
/// The signing secret is kept protected with Data Protection, because the portal must sign with it; it is shown to the
/// person who created the endpoint once.
/// </summary>
public sealed class WebhookEndpoint
{
    /// <summary>Failed attempts in a row after which the endpoint is disabled and its owner told.</summary>
    public const int FailureLimit = 5;

    public const int MaxUrlLength = 2000;

    private WebhookEndpoint()
    {
        Url = "";
        EventTypes = "";
        ProtectedSecret = "";
        CreatedByName = "";
    }

    public WebhookEndpoint(Guid id, Guid? tenantId, WebhookKind kind, Uri url, IEnumerable<string> eventTypes, string protectedSecret, Actor createdBy, DateTimeOffset now)
    {
        Id = id;
        TenantId = tenantId;
        Kind = kind;
        Url = url.AbsoluteUri;
        EventTypes = string.Join(' ', eventTypes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        ProtectedSecret = protectedSecret;
        CreatedById = createdBy.UserId;
        CreatedByName = createdBy.DisplayName;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }

    /// <summary>The tenant that owns it; null for one of the provider's endpoints, which hears every tenant's events.</summary>
    public Guid? TenantId { get; private set; }

    public WebhookKind Kind { get; private set; }

    public string Url { get; private set; }

    /// <summary>The event types it hears, space-separated (<see cref="WebhookEvents.All"/>).</summary>
    public string EventTypes { get; private set; }

    public string ProtectedSecret { get; private set; }

    public string? CreatedById { get; private set; }

    public string CreatedByName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public DateTimeOffset? DisabledAt { get; private set; }

    public string? DisabledReason { get; private set; }

    public bool IsEnabled => DisabledAt is null;

    public IReadOnlyList<string> EventTypeList => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool Hears(string eventType) => IsEnabled && EventTypeList.Contains(eventType, StringComparer.Ordinal);

    /// <summary>Turns a disabled endpoint on again, with a clean count; throws when it is already on.</summary>
    public void Enable()
    {
        if (IsEnabled)
        {
            throw InvalidInputException.For("Endpoint", "This endpoint is already enabled.");
        }

        DisabledAt = null;
        DisabledReason = null;
        ConsecutiveFailures = 0;
    }

    /// <summary>Stops deliveries after <see cref="FailureLimit"/> failures in a row; throws when it is already off.</summary>
    public void Disable(string reason, DateTimeOffset now)
    {
        if (!IsEnabled)
        {
            throw new InvalidOperationException("This endpoint is already disabled.");
        }

        DisabledAt = now;
        DisabledReason = reason;
    }

    /// <summary>
    /// Validates what a person typed: an absolute http or https address without credentials in it, and known
    /// event types. Returns the errors by field; none means valid.
    /// </summary>
    public static Dictionary<string, string[]> Validate(string? url, IReadOnlyCollection<string> eventTypes, out Uri? parsed)
    {
        var errors = new Dictionary<string, string[]>();
        parsed = null;
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength
            || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors["Url"] = ["Enter an absolute http:// or https:// address."];
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors["Url"] = ["Leave user names and passwords out of the address; the signature proves the sender."];
        }
        else
        {
            parsed = uri;
        }

        if (eventTypes.Count == 0)
        {
            errors["EventTypes"] = ["Choose at least one event type."];
        }
        else if (eventTypes.FirstOrDefault(t => !WebhookEvents.All.Contains(t)) is { } unknown)
        {
            errors["EventTypes"] = [$"'{unknown}' is not an event type."];
        }

        return errors;
    }

    /// <summary>Counts one failed attempt; true when this one reaches the limit (the caller disables and tells the owner).</summary>
    internal bool CountsFailure() => IsEnabled && ++ConsecutiveFailures >= FailureLimit;

    internal void CountsSuccess() => ConsecutiveFailures = 0;
}

/// <summary>The event types an endpoint may hear: the request events the portal raises.</summary>
public static class WebhookEvents
{
    public static readonly IReadOnlyList<string> All =
        [
            // What was done under a grant is the grant page's, not a request event an endpoint hears (README "What was done under a grant").
            .. Enum.GetValues<RequestEventKind>().Where(k => !k.IsActivity()).Select(k => "AccessRequest." + k),
            WebhookPayloads.AuditCheckpoint,
        ];
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> endpoint)
    {
        endpoint.ToTable("WebhookEndpoints");
        endpoint.Property(e => e.Id).ValueGeneratedNever();
        endpoint.Property(e => e.Url).HasMaxLength(WebhookEndpoint.MaxUrlLength);
        endpoint.Property(e => e.EventTypes).HasMaxLength(1000);
        endpoint.Property(e => e.ProtectedSecret).HasMaxLength(2000);
        endpoint.Property(e => e.CreatedById).HasMaxLength(450);
        endpoint.Property(e => e.CreatedByName).HasMaxLength(200);
        endpoint.Property(e => e.DisabledReason).HasMaxLength(500);
        endpoint.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        endpoint.Ignore(e => e.IsEnabled);
        endpoint.Ignore(e => e.EventTypeList);
        endpoint.HasIndex(e => e.TenantId);
    }
}
