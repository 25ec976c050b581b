"""walmart"""
