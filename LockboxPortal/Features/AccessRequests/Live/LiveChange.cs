using LockboxPortal.Features.Approvers;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>Why a live page reads again: a request event, a change of who may decide, or neither (the connection came back).</summary>
public sealed record LiveChange(RequestEvent? Request, ApproverChange? Approvers)
{
    public static readonly LiveChange Reconnected = new(null, null);
}
