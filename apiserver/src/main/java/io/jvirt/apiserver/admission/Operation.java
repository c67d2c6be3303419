package io.jvirt.apiserver.admission;

/** The write being admitted, as in an AdmissionReview. */
public enum Operation { CREATE, UPDATE, DELETE }
