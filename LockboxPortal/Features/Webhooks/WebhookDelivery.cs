using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Webhooks;

/// <summary>One try to deliver one outbox message to one endpoint, for the delivery log: what came back.</summary>
public sealed class WebhookDelivery
{
    /// <summary>How much of a receiver's answer is kept: enough to see an error message, not a page.</summary>
    public const int SnippetLength = 500;

    private WebhookDelivery()
    {
        EventType = "";
    }

    public WebhookDelivery(Guid endpointId, Guid messageId, string eventType, int attempt, int @try, DateTimeOffset at, int? statusCode, string? responseSnippet, string? error)
    {
        Id = Guid.NewGuid();
        EndpointId = endpointId;
        MessageId = messageId;
        EventType = eventType;
        Attempt = attempt;
        Try = @try;
        At = at;
        StatusCode = statusCode;
        ResponseSnippet = Cut(responseSnippet);
        Error = Cut(error);
    }

    public Guid Id { get; private set; }

    public Guid EndpointId { get; private set; }

    /// <summary>The outbox message, which is the <c>webhook-id</c> the receiver saw.</summary>
    public Guid MessageId { get; private set; }

    public string EventType { get; private set; }

    /// <summary>The outbox's attempt, 1 and up; its backoff waits minutes to an hour between attempts.</summary>
    public int Attempt { get; private set; }

    /// <summary>The try within the attempt, 1 and up: the quick retries of <see cref="WebhookTries"/>.</summary>
    public int Try { get; private set; }

    public DateTimeOffset At { get; private set; }

    public int? StatusCode { get; private set; }

    public string? ResponseSnippet { get; private set; }

    public string? Error { get; private set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;

    private static string? Cut(string? text) => text is { Length: > SnippetLength } ? text[..SnippetLength] : text;
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("WebhookDeliveries");
        delivery.Property(d => d.Id).ValueGeneratedNever();
        delivery.Property(d => d.EventType).HasMaxLength(80);
        delivery.Property(d => d.ResponseSnippet).HasMaxLength(WebhookDelivery.SnippetLength);
        delivery.Property(d => d.Error).HasMaxLength(WebhookDelivery.SnippetLength);
        delivery.Ignore(d => d.Succeeded);
        delivery.HasIndex(d => new { d.EndpointId, d.At });
    }
}
