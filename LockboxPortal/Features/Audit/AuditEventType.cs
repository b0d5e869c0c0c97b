namespace LockboxPortal.Features.Audit;

/// <summary>
/// Every control activity the trail records, numbered in blocks per subject so that codes stay stable
/// when new kinds are added. Never renumber: exported trails and verifiers refer to these codes.
/// </summary>
public enum AuditEventType
{
    // 1100: access requests
    AccessRequest_Filed = 1100,
    AccessRequest_InternalApproved = 1101,
    AccessRequest_InternalDenied = 1102,
    AccessRequest_CustomerApproved = 1103,
    AccessRequest_CustomerRejected = 1104,
    AccessRequest_Cancelled = 1105,
    AccessRequest_Expired = 1106,
    AccessRequest_Escalated = 1107,

    // 1150: questions an approver asks the requesting engineer, and the answers
    AccessRequest_QuestionAsked = 1150,
    AccessRequest_QuestionAnswered = 1151,

    // 1160: emergencies, ratified by the customer after the fact (docs/decisions/0016-emergency-access-ratified-after.md)
    /// <summary>An engineer declared an emergency; its grant opened at once (Grant_Opened follows).</summary>
    Emergency_Declared = 1160,

    /// <summary>The tenant's quorum ratified it; each approval is an AccessRequest_CustomerApproved before this.</summary>
    Emergency_Ratified = 1161,

    /// <summary>An approver rejected it; a grant still running was revoked with it (Grant_Revoked follows).</summary>
    Emergency_Rejected = 1162,

    /// <summary>The window ended unsettled; recorded by the system.</summary>
    Emergency_Unratified = 1163,

    /// <summary>A security officer reviewed an unratified emergency, with a note.</summary>
    Emergency_Reviewed = 1164,

    // 1200: grants
    Grant_Opened = 1200,
    Grant_Revoked = 1201,
    Grant_Released = 1202,
    Grant_Completed = 1203,
    Grant_AccessChecked = 1204,

    /// <summary>The engineer asked for more time; the extension is a request of its own, named in the details.</summary>
    Grant_ExtensionRequested = 1205,

    /// <summary>An extension reached its quorum and the grant's end moved.</summary>
    Grant_Extended = 1206,

    /// <summary>A service client reported what it did under the grant: one entry per batch, the reports in its details.</summary>
    Grant_ActivityReported = 1207,

    /// <summary>The access checks made under the grant in one minute, counted (allowed and refused): one entry per grant, minute and node.</summary>
    Grant_ChecksCounted = 1208,

    /// <summary>
    /// Access checks refused again in one minute for the same service client, tenant, engineer, scope, level and reason,
    /// after the first (written as <see cref="Grant_AccessChecked"/>): how many, one entry per node and minute.
    /// </summary>
    Grant_AccessRefusalsCounted = 1209,

    // 1300: approver lists, policies and delegations
    Approvers_Added = 1300,
    Approvers_Removed = 1301,
    Policy_Changed = 1302,
    Approvers_EscalationAdded = 1303,
    Approvers_EscalationRemoved = 1304,
    Catalogue_EntryAdded = 1305,
    Catalogue_EntryRemoved = 1306,
    Delegation_Created = 1310,
    Delegation_Revoked = 1311,
    Delegation_Ended = 1312,

    /// <summary>Fewer than quorum + 1 approvers can decide (or fewer than the quorum); the security officers were warned.</summary>
    Quorum_AtRisk = 1320,

    /// <summary>At least quorum + 1 approvers can decide again.</summary>
    Quorum_Restored = 1321,

    // 1330: changes proposed under the two-person rule; an approved one is followed by the entry of the change it applied
    PolicyChange_Proposed = 1330,
    PolicyChange_Approved = 1331,
    PolicyChange_Rejected = 1332,
    PolicyChange_Withdrawn = 1333,

    // 1400: tenants and people
    Tenant_Created = 1400,
    Tenant_Renamed = 1401,
    Tenant_Deactivated = 1402,
    Membership_Granted = 1410,
    Membership_Removed = 1411,
    Invitation_Created = 1420,
    Invitation_Accepted = 1421,
    Invitation_Revoked = 1422,
    User_Deactivated = 1430,
    User_ProfileChanged = 1431,
    User_PasswordChanged = 1432,
    Setup_Completed = 1440,

    // 1500: security
    SignIn_Succeeded = 1500,
    SignIn_Failed = 1501,
    SignIn_LockedOut = 1502,
    SignOut = 1503,
    SignIn_SecondFactorFailed = 1504,
    SignIn_RecoveryCodeUsed = 1505,
    /// <summary>Signed in with password and code together while password sign-in was locked out.</summary>
    SignIn_DespiteLockout = 1506,
    Operation_Refused = 1510,
    TwoFactor_Enabled = 1520,
    TwoFactor_Reset = 1521,
    TwoFactor_RecoveryCodesReplaced = 1522,
    Passkey_Added = 1530,
    Passkey_Renamed = 1531,
    Passkey_Removed = 1532,
    SignIn_WithPasskey = 1533,

    // 1600: the audit trail itself
    Audit_Exported = 1600,
    Audit_Verified = 1601,

    // 1700: API tokens, service clients and grant-token signing keys
    ApiToken_Created = 1700,
    ApiToken_Revoked = 1701,
    ServiceClient_Created = 1710,
    ServiceClient_Revoked = 1711,
    GrantToken_Issued = 1720,
    SigningKey_Rotated = 1730,

    // 1800: notifications
    Notification_ReminderSent = 1800,

    // 1850: webhook endpoints
    Webhook_EndpointCreated = 1850,
    Webhook_EndpointDeleted = 1851,
    Webhook_EndpointEnabled = 1852,
    Webhook_EndpointDisabled = 1853,

    // 2100: sign-in through a customer's (or the provider's) Microsoft Entra directory; the roles it grants and
    // removes are Membership_Granted and Membership_Removed with "through": "entra"
    EntraSignIn_Succeeded = 2100,
    EntraSignIn_UnknownDirectory = 2101,
    EntraSignIn_Refused = 2102,
    EntraPerson_Created = 2103,
    Tenant_DirectoryChanged = 2110,
}
