namespace LockboxPortal.Features.AccessRequests;

/// <summary>One decision taken on a request: who, at which stage, on whose behalf, and why.</summary>
public sealed class RequestDecision
{
    private RequestDecision()
    {
        DeciderId = "";
        DeciderName = "";
    }

    internal RequestDecision(DecisionStage stage, DecisionOutcome outcome, Actor decider, Actor? onBehalfOf, string? comment, DateTimeOffset decidedAt, TimeSpan? allowedDuration = null)
    {
        AllowedDuration = allowedDuration;
        Id = Guid.NewGuid();
        Stage = stage;
        Outcome = outcome;
        DeciderId = decider.UserId;
        DeciderName = decider.DisplayName;
        OnBehalfOfId = onBehalfOf?.UserId;
        OnBehalfOfName = onBehalfOf?.DisplayName;
        Comment = comment;
        DecidedAt = decidedAt;
    }

    public Guid Id { get; private set; }

    public Guid AccessRequestId { get; private set; }

    public DecisionStage Stage { get; private set; }

    public DecisionOutcome Outcome { get; private set; }

    public string DeciderId { get; private set; }

    public string DeciderName { get; private set; }

    public string? OnBehalfOfId { get; private set; }

    public string? OnBehalfOfName { get; private set; }

    public string? Comment { get; private set; }

    public DateTimeOffset DecidedAt { get; private set; }

    /// <summary>A customer approval for less time than requested: the longest grant this approver agreed to; null for the full request.</summary>
    public TimeSpan? AllowedDuration { get; private set; }

    /// <summary>Everyone whose authority this decision used: the decider and, under a delegation, the delegator.</summary>
    public IEnumerable<string> PeopleCounted => OnBehalfOfId is null ? [DeciderId] : [DeciderId, OnBehalfOfId];

    public string DescribeDecider() => OnBehalfOfName is null ? DeciderName : $"{DeciderName} on behalf of {OnBehalfOfName}";
}
