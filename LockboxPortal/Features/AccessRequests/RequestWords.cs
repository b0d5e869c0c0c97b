namespace LockboxPortal.Features.AccessRequests;

/// <summary>Statuses and access levels in plain words, for every page and export.</summary>
public static class RequestWords
{
    public static string Status(RequestStatus status) => status switch
    {
        RequestStatus.PendingInternal => "Awaiting manager",
        RequestStatus.PendingCustomer => "Awaiting customer",
        RequestStatus.Approved => "Approved",
        RequestStatus.Denied => "Denied",
        RequestStatus.Rejected => "Rejected",
        RequestStatus.Cancelled => "Cancelled",
        RequestStatus.Expired => "Expired",
        RequestStatus.Completed => "Completed",
        RequestStatus.Revoked => "Revoked",
        RequestStatus.Extended => "Extended",
        _ => status.ToString(),
    };

    /// <summary>Where an emergency's ratification stands, in the words the pages, exports and emails use.</summary>
    public static string Ratification(Ratification ratification) => ratification switch
    {
        AccessRequests.Ratification.Pending => "Awaiting ratification",
        AccessRequests.Ratification.Ratified => "Ratified",
        AccessRequests.Ratification.Rejected => "Rejected",
        AccessRequests.Ratification.Unratified => "Unratified",
        _ => ratification.ToString(),
    };

    /// <summary>"Emergency — unratified, reviewed" and the like; empty for an ordinary request.</summary>
    public static string Emergency(AccessRequest request) => request.Ratification switch
    {
        null => "",
        AccessRequests.Ratification.Unratified when request.ReviewedAt is not null => "Emergency — unratified, reviewed",
        AccessRequests.Ratification.Unratified => "Emergency — unratified, awaiting review",
        AccessRequests.Ratification.Pending => "Emergency — ratify or reject",
        { } r => "Emergency — " + Ratification(r).ToLowerInvariant(),
    };

    public static string Access(AccessLevel level) => level == AccessLevel.ReadWrite ? "Read-write" : "Read";
}
