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

    public static string Access(AccessLevel level) => level == AccessLevel.ReadWrite ? "Read-write" : "Read";
}
