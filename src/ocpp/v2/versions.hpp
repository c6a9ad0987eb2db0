// OCPP 2.0.1 and 2.1 share their functional blocks (2.1 extends 2.0.1); the block code is written once as
// templates over these traits, which name each version's generated message types.
#pragma once

#include "ocpp/generated/v201.hpp"
#include "ocpp/generated/v21.hpp"

namespace voltpool::ocpp::v2 {

#define VOLTPOOL_OCPP_V2_TYPES(ns)                                      \
  using BootNotificationRequest = ns::BootNotificationRequest;         \
  using BootNotificationResponse = ns::BootNotificationResponse;       \
  using RegistrationStatusEnumType = ns::RegistrationStatusEnumType;   \
  using HeartbeatResponse = ns::HeartbeatResponse;                     \
  using StatusNotificationRequest = ns::StatusNotificationRequest;     \
  using AuthorizeRequest = ns::AuthorizeRequest;                       \
  using AuthorizeResponse = ns::AuthorizeResponse;                     \
  using IdTokenInfoType = ns::IdTokenInfoType;                         \
  using AuthorizationStatusEnumType = ns::AuthorizationStatusEnumType; \
  using TransactionEventRequest = ns::TransactionEventRequest;         \
  using TransactionEventResponse = ns::TransactionEventResponse;       \
  using TransactionEventEnumType = ns::TransactionEventEnumType;       \
  using MeterValuesRequest = ns::MeterValuesRequest;                   \
  using MeterValueType = ns::MeterValueType;                           \
  using NotifyEVChargingNeedsRequest = ns::NotifyEVChargingNeedsRequest;   \
  using NotifyEVChargingNeedsResponse = ns::NotifyEVChargingNeedsResponse; \
  using NotifyEVChargingScheduleResponse = ns::NotifyEVChargingScheduleResponse; \
  using ReportChargingProfilesResponse = ns::ReportChargingProfilesResponse; \
  using SetChargingProfileRequest = ns::SetChargingProfileRequest;     \
  using ChargingProfileType = ns::ChargingProfileType;                 \
  using ChargingScheduleType = ns::ChargingScheduleType;               \
  using ChargingSchedulePeriodType = ns::ChargingSchedulePeriodType;   \
  using ClearChargingProfileRequest = ns::ClearChargingProfileRequest; \
  using GetCompositeScheduleRequest = ns::GetCompositeScheduleRequest; \
  using GetCompositeScheduleResponse = ns::GetCompositeScheduleResponse; \
  using RequestStartTransactionRequest = ns::RequestStartTransactionRequest; \
  using RequestStopTransactionRequest = ns::RequestStopTransactionRequest; \
  using IdTokenType = ns::IdTokenType;

struct V201 {
  VOLTPOOL_OCPP_V2_TYPES(v201)
  static constexpr bool kV2X = false;
};

struct V21 {
  VOLTPOOL_OCPP_V2_TYPES(v21)
  static constexpr bool kV2X = true;  // discharge limits and setpoints in charging schedules (2.1 Q-block)
};

#undef VOLTPOOL_OCPP_V2_TYPES

}  // namespace voltpool::ocpp::v2
