namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// A question an approver asks the requesting engineer while the request awaits their decision, and the engineer's
/// answer. It informs the decision and changes nothing else: the request's state and pending deadline stay as they
/// are. Whether the person may ask or answer is the service's question (<c>RequestOperations.AskQuestion</c> and
/// <c>AnswerQuestion</c>); this class keeps the rules of the exchange and throws when one refuses.
/// </summary>
public sealed class RequestQuestion
{
    /// <summary>As long as a decision's comment.</summary>
    public const int TextMaxLength = AccessRequest.CommentMaxLength;

    private RequestQuestion()
    {
        AskerId = "";
        AskerName = "";
        Text = "";
    }

    public Guid Id { get; private set; }

    public Guid AccessRequestId { get; private set; }

    /// <summary>The stage the request was at when asked: the provider's manager asks at the internal stage, the customer's approvers at theirs.</summary>
    public DecisionStage Stage { get; private set; }

    public string AskerId { get; private set; }

    public string AskerName { get; private set; }

    /// <summary>Plain text as typed (trimmed); shown as text, never as markup.</summary>
    public string Text { get; private set; }

    public DateTimeOffset AskedAt { get; private set; }

    public string? Answer { get; private set; }

    public string? AnswererId { get; private set; }

    public string? AnswererName { get; private set; }

    public DateTimeOffset? AnsweredAt { get; private set; }

    public bool IsAnswered => AnsweredAt is not null;

    /// <summary>
    /// <paramref name="asker"/> asks the requester about <paramref name="request"/>, which must still await a decision
    /// before its deadline; nobody asks about their own request.
    /// </summary>
    public static RequestQuestion Ask(AccessRequest request, Actor asker, string? text, DateTimeOffset now)
    {
        EnsureOpen(request, now);
        if (string.Equals(asker.UserId, request.RequesterId, StringComparison.Ordinal))
        {
            throw new OwnRequestQuestionException();
        }

        return new RequestQuestion
        {
            Id = Guid.NewGuid(),
            AccessRequestId = request.Id,
            Stage = request.Status == RequestStatus.PendingInternal ? DecisionStage.Internal : DecisionStage.Customer,
            AskerId = asker.UserId,
            AskerName = asker.DisplayName,
            Text = Clean(text, "a question"),
            AskedAt = now,
        };
    }

    /// <summary>The requester answers, once, while the request still awaits a decision before its deadline.</summary>
    public void AnswerBy(AccessRequest request, Actor answerer, string? text, DateTimeOffset now)
    {
        if (request.Id != AccessRequestId)
        {
            throw new ArgumentException("The question belongs to another request.", nameof(request));
        }

        if (IsAnswered)
        {
            throw new QuestionAlreadyAnsweredException();
        }

        EnsureOpen(request, now);
        if (!string.Equals(answerer.UserId, request.RequesterId, StringComparison.Ordinal))
        {
            throw new NotRequesterException();
        }

        Answer = Clean(text, "an answer");
        AnswererId = answerer.UserId;
        AnswererName = answerer.DisplayName;
        AnsweredAt = now;
    }

    /// <summary>Questions belong to a request awaiting a decision: once it is decided, cancelled or past its deadline, the exchange is over.</summary>
    private static void EnsureOpen(AccessRequest request, DateTimeOffset now)
    {
        if (!request.Status.IsPending())
        {
            throw new QuestionsClosedException(request.Status);
        }

        if (now >= request.ExpiresAt)
        {
            throw new DeadlinePassedException(request.ExpiresAt);
        }
    }

    private static string Clean(string? text, string what)
    {
        var trimmed = text?.Trim() ?? "";
        return trimmed.Length is > 0 and <= TextMaxLength
            ? trimmed
            : throw InvalidInputException.For(nameof(Text), $"Write {what} of 1 to {TextMaxLength} characters.");
    }
}

/// <summary>The request no longer awaits a decision, so nobody asks or answers about it any more.</summary>
public sealed class QuestionsClosedException(RequestStatus status)
    : LockboxRuleException($"This request is {status.ToString().ToLowerInvariant()} and no longer awaits a decision; questions about it are closed.")
{
    public override string Code => "questions-closed";
}

/// <summary>A question is answered once; the exchange on the timeline stays as it was.</summary>
public sealed class QuestionAlreadyAnsweredException()
    : LockboxRuleException("This question has already been answered.")
{
    public override string Code => "already-answered";
}

/// <summary>Separation of duties: the requester answers questions about their request, never asks them.</summary>
public sealed class OwnRequestQuestionException()
    : LockboxRuleException("You cannot ask a question about your own request.")
{
    public override string Code => "self-question";
}
