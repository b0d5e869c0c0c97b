using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// Questions an approver asks the requesting engineer, and the answers: through the same gate as a decision, each
/// one transaction with its audit entry and a request event, so the other party's open page shows it at once. Neither
/// moves the pending deadline nor changes the request.
/// </summary>
public sealed partial class AccessRequestService
{
    /// <summary>Whoever may decide the stage the request is at asks its engineer (<see cref="RequestAuthorizationHandler.MayAsk"/>).</summary>
    public async Task<RequestQuestion> AskAsync(ClaimsPrincipal principal, Guid requestId, string? text, CancellationToken cancellationToken = default)
    {
        var (question, change) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.AskQuestion, cancellationToken);
            var (user, request, _) = loaded;
            RequestQuestion? asked = null;
            await gate.ApplyAsync(loaded, nameof(RequestOperations.AskQuestion), () => asked = RequestQuestion.Ask(request, user.Actor, text, time.GetUtcNow()), cancellationToken);
            db.RequestQuestions.Add(asked!);
            WriteOnlyIfUnchanged(db, request);
            await audit.AppendAsync(db, Record(AuditEventType.AccessRequest_QuestionAsked, user, request, new
            {
                request.Reference,
                QuestionId = asked!.Id,
                Stage = asked.Stage.ToString(),
                Question = asked.Text,
            }), cancellationToken);
            return (asked, await notifier.RaiseAsync(db, request, RequestEventKind.QuestionAsked, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return question;
    }

    /// <summary>The requesting engineer answers one question about their request, once.</summary>
    public async Task<RequestQuestion> AnswerAsync(
        ClaimsPrincipal principal, Guid requestId, Guid questionId, string? text, CancellationToken cancellationToken = default)
    {
        var (question, change) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.AnswerQuestion, cancellationToken);
            var (user, request, _) = loaded;
            var asked = await db.RequestQuestions.SingleOrDefaultAsync(q => q.Id == questionId && q.AccessRequestId == request.Id, cancellationToken)
                ?? throw new NotFoundException("question");
            await gate.ApplyAsync(loaded, nameof(RequestOperations.AnswerQuestion), () => asked.AnswerBy(request, user.Actor, text, time.GetUtcNow()), cancellationToken);
            WriteOnlyIfUnchanged(db, request);
            await audit.AppendAsync(db, Record(AuditEventType.AccessRequest_QuestionAnswered, user, request, new
            {
                request.Reference,
                QuestionId = asked.Id,
                Question = asked.Text,
                asked.Answer,
            }), cancellationToken);
            return (asked, await notifier.RaiseAsync(db, request, RequestEventKind.QuestionAnswered, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return question;
    }

    /// <summary>Whether the request page offers asking and answering to this person now; each operation checks again when it runs.</summary>
    public async Task<QuestionActions> QuestionActionsAsync(ClaimsPrincipal principal, AccessRequest request, CancellationToken cancellationToken = default)
    {
        if (!request.Status.IsPending() || request.ExpiresAt <= time.GetUtcNow())
        {
            return QuestionActions.None;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return new QuestionActions(
            Ask: await gate.IsAllowedAsync(db, principal, request, RequestOperations.AskQuestion, cancellationToken),
            Answer: await gate.IsAllowedAsync(db, principal, request, RequestOperations.AnswerQuestion, cancellationToken));
    }

    /// <summary>
    /// A question or an answer leaves the request as it is, but is written only while the request is as this operation
    /// read it: the request's concurrency token goes into the write unchanged, so a decision that lands between the
    /// read and the commit makes the operation run again on fresh data and find the request decided, as the loser of
    /// two decisions does, instead of leaving a question on a closed request.
    /// </summary>
    private static void WriteOnlyIfUnchanged(LockboxDbContext db, AccessRequest request) =>
        db.Entry(request).Property(r => r.Version).IsModified = true;

    /// <summary>The questions of these requests, oldest first, for rows whose request the caller was allowed to read.</summary>
    private static async Task<ILookup<Guid, RequestQuestion>> QuestionsOfAsync(LockboxDbContext db, IReadOnlyCollection<Guid> requestIds, CancellationToken cancellationToken)
    {
        var questions = await db.RequestQuestions.AsNoTracking()
            .Where(q => requestIds.Contains(q.AccessRequestId))
            .OrderBy(q => q.AskedAt).ThenBy(q => q.Id)
            .ToListAsync(cancellationToken);
        return questions.ToLookup(q => q.AccessRequestId);
    }
}

/// <summary>What the request page offers about questions: asking (an approver who may decide now) and answering (the requester).</summary>
public sealed record QuestionActions(bool Ask, bool Answer)
{
    public static QuestionActions None { get; } = new(false, false);
}
